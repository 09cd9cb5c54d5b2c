#!/usr/bin/env bash
# External validation harness for smgen's AWS CDK (TypeScript) output.
#
# Renders every preset and the option matrix (the case table of scripts/validate.sh) with
# `smgen generate --format cdk`, installs the npm packages the generated package.json pins ONCE
# into a shared cache (keyed by a hash of the pins) and links it into each project as
# node_modules, then checks each project, offline:
#   tsc       tsc --noEmit (the project's `npm run build`)
#   test      npm test (node's test runner through tsx: the generated aws-cdk-lib/assertions tests)
#   synth     cdk synth --no-notices --no-version-reporting --no-lookups (version check and
#             telemetry off, no AWS credentials); cdk-nag runs inside it as a validation plugin
#   nag       cdk.out/validation-report.json: zero unacknowledged cdk-nag findings (errors or
#             warnings), zero construct-annotation warnings, zero CloudFormation-validate findings
#   cfn-lint  cfn-lint on the synthesized template: zero errors (warnings are listed)
#
# Prints one line per case and step, the logs of failing steps and, last,
# `validate-cdk: N passed, M failed`. Exits 1 on any failure.
#
# Environment:
#   CI=true               a missing node/npm or cfn-lint is an error (otherwise: skipped, with a note)
#   SMGEN_CDK_CACHE       where the shared node_modules live (default ${XDG_CACHE_HOME:-~/.cache}/smgen/cdk-node)
#   SMGEN_VENV            virtual environment holding cfn-lint (default ${XDG_CACHE_HOME:-~/.cache}/smgen/venv;
#                         scripts/setup-tools.sh creates it); cfn-lint on PATH is used otherwise
#   SMGEN_JOBS            projects checked in parallel (default 2)
#   SMGEN_MATRIX_BASE     preset the matrix overrides (default vpc-only-isolated)
#   SMGEN_LOG_LINES       lines printed from each failing step's log (default 120)
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/validate-cdk.sh [--smgen PATH] [--only REGEX] [--keep DIR] [--jobs N] [--list]

  --smgen PATH   smgen binary to test (default: target/debug/smgen; build it first)
  --only REGEX   only the cases whose name matches REGEX (bash ERE), e.g. 'preset-|iso-both'
  --keep DIR     render into DIR and keep the projects and logs there (default: a temporary directory)
  --jobs N       projects checked in parallel (default: $SMGEN_JOBS or 2)
  --list         print the case names and exit
  --modules      install the pinned packages into the shared cache (if not there yet) and print the
                 node_modules directory (used by tests/parity_cdk.rs)
EOF
}

# The option matrix of scripts/validate.sh (same columns, same rows): every pair of values of any two
# axes appears at least twice. Case names: m-<vpc|public>-nat<…>-kms<…>-<iso|noiso>-<workloads>.
MATRIX='
# network.mode  network.nat  encryption.kms  isolation  workloads
public-only     none         create          true       notebooks
vpc-only        none         create          true       both
vpc-only        none         existing        false      studio
public-only     none         existing        false      notebooks
public-only     none         existing        true       both
public-only     none         aws-managed     false      studio
public-only     none         aws-managed     true       notebooks
vpc-only        none         aws-managed     false      both
public-only     single       create          true       studio
vpc-only        single       create          true       notebooks
public-only     single       create          true       both
vpc-only        single       existing        true       studio
public-only     single       existing        false      both
public-only     single       aws-managed     false      studio
vpc-only        single       aws-managed     false      notebooks
public-only     single       aws-managed     true       both
vpc-only        per-az       create          false      studio
public-only     per-az       create          false      notebooks
public-only     per-az       create          false      both
vpc-only        per-az       existing        true       studio
vpc-only        per-az       existing        true       notebooks
vpc-only        per-az       existing        false      both
vpc-only        per-az       aws-managed     false      studio
vpc-only        per-az       aws-managed     true       notebooks
'
EXISTING_KEY_ARN='arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'

log() { printf 'validate-cdk: %s\n' "$*" >&2; }
die() {
  printf 'validate-cdk: error: %s\n' "$1" >&2
  exit "${2:-1}"
}

now_ms() {
  local t=${EPOCHREALTIME//[.,]/}
  echo $((t / 1000))
}

# run_step LOG TIMEOUT CMD...: run CMD in the case's project with output to LOG; sets STEP_SECS.
STEP_SECS=0
run_step() {
  local logf=$1 limit=$2 start rc=0
  shift 2
  {
    printf '$'
    printf ' %q' "$@"
    printf '\n'
  } >"$logf"
  start=$(now_ms)
  timeout -k 15 "$limit" "$@" >>"$logf" 2>&1 </dev/null || rc=$?
  ((rc == 124)) && printf '\n[timed out after %ss]\n' "$limit" >>"$logf"
  STEP_SECS=$((($(now_ms) - start) / 100))
  STEP_SECS="$((STEP_SECS / 10)).$((STEP_SECS % 10))s"
  return "$rc"
}

# record CASE STEP ok|FAIL|skip [NOTE]: one result line (buffered per case, see worker).
CASE_BUF=""
record() {
  local case=$1 step=$2 status=$3 note=${4:-}
  printf '%s\t%s\t%s\t%s\n' "$case" "$step" "$status" "$note" >>"$WORK/results.tsv"
  if [[ -n $CASE_BUF ]]; then
    printf '%-4s  %-8s  %s%s\n' "$status" "$step" "$case" "${note:+  $note}" >>"$CASE_BUF"
  else
    printf '%-4s  %-8s  %s%s\n' "$status" "$step" "$case" "${note:+  $note}"
  fi
}

# ------------------------------------------------------------------------------- per-case checks --

step_tsc() {
  local case=$1 root=$WORK/projects/$1
  if run_step "$WORK/logs/$case/tsc.log" 300 env -C "$root" node_modules/.bin/tsc --noEmit; then
    record "$case" tsc ok "$STEP_SECS"
  else
    record "$case" tsc FAIL "$STEP_SECS ($(grep -c 'error TS' "$WORK/logs/$case/tsc.log" || true) errors)"
  fi
}

step_test() {
  local case=$1 root=$WORK/projects/$1 logf=$WORK/logs/$1/test.log pass fail rc=0
  run_step "$logf" 600 env -C "$root" npm test || rc=$?
  pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$logf" | tail -n 1)
  fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$logf" | tail -n 1)
  if ((rc == 0)) && [[ ${pass:-0} -gt 0 && ${fail:-1} -eq 0 ]]; then
    record "$case" test ok "$STEP_SECS ($pass passed)"
  else
    record "$case" test FAIL "$STEP_SECS (${fail:-?} failed, ${pass:-?} passed: $(grep -E '^not ok' "$logf" | cut -c1-100 | paste -sd';' -))"
  fi
}

# The app command of cdk.json also runs tsc first; the tsc step has done that, so synth runs
# the app directly (the same `cdk synth`, minus the second type-check).
step_synth() {
  local case=$1 root=$WORK/projects/$1 app
  app=$(basename "$root"/bin/*.ts)
  rm -rf "$root/cdk.out"
  if run_step "$WORK/logs/$case/synth.log" 600 env -C "$root" node_modules/.bin/cdk synth \
    --no-notices --no-version-reporting --no-lookups --quiet \
    --app "node_modules/.bin/tsx bin/$app" --output cdk.out; then
    record "$case" synth ok "$STEP_SECS ($(find "$root/cdk.out" -name '*.template.json' | wc -l) template)"
    return 0
  fi
  record "$case" synth FAIL "$STEP_SECS ($(grep -m1 -oE 'ValidationFailed|error TS[0-9]+|Error: .{0,80}' "$WORK/logs/$case/synth.log" || echo 'see log'))"
  return 1
}

# nag: every plugin report in cdk.out/validation-report.json must be free of violations (cdk-nag's
# AwsSolutions pack, construct annotations, CloudFormation validate; a clean synth lists none), and
# counts the acknowledgements cdk-nag wrote to the template (Metadata.cdk_nag.rules_to_suppress).
step_nag() {
  local case=$1 root=$WORK/projects/$1 logf=$WORK/logs/$1/nag.log summary
  {
    printf 'cdk.out/validation-report.json of %s\n' "$root"
  } >"$logf"
  if summary=$(python3 - "$root/cdk.out" 2>>"$logf" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
report = json.load(open(os.path.join(out, "validation-report.json")))
bad, plugins = [], []
for p in report.get("pluginReports", []):
    plugins.append(p.get("pluginName", "?"))
    for v in p.get("violations", []):
        where = ", ".join(c.get("constructPath", "?") for c in v.get("violatingConstructs", []))
        bad.append("%s: %s %s at %s" % (p.get("pluginName"), v.get("severity"), v.get("ruleName"), where))
ids = set()
for t in glob.glob(os.path.join(out, "*.template.json")):
    for r in json.load(open(t))["Resources"].values():
        ids.update(a["id"] for a in r.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []))
acks = len(ids)
print("\n".join(bad), file=sys.stderr)
# A clean report lists no plugin; cdk-nag's acknowledgements in the template's Metadata show that
# the pack bin/ registers took part in the synth.
if acks == 0 and "AwsSolutions" not in plugins:
    print("no trace of cdk-nag in the synth: no cdk_nag Metadata and no AwsSolutions report", file=sys.stderr)
    sys.exit(1)
sys.stdout.write("%d %d" % (len(bad), acks))
sys.exit(1 if bad else 0)
PY
  ); then
    read -r _ acks <<<"$summary"
    record "$case" nag ok "(0 findings; $acks rules acknowledged, each with its reason)"
  else
    record "$case" nag FAIL "($(grep -cE ': (error|warning) ' "$logf" || true) findings: $(grep -oE '(error|warning) [^ ]+' "$logf" | sort -u | head -5 | paste -sd';' -))"
  fi
}

step_cfnlint() {
  local case=$1 root=$WORK/projects/$1 logf=$WORK/logs/$1/cfn-lint.log errors warnings
  local -a templates=("$root"/cdk.out/*.template.json)
  run_step "$logf" 300 "$CFNLINT" --format parseable -- "${templates[@]}" || true
  errors=$(grep -cE ':E[0-9]{4}:' "$logf" || true)
  warnings=$(grep -oE ':W[0-9]{4}:' "$logf" | sort -u | tr -d ':' | paste -sd' ' -)
  if grep -qE 'Traceback|No such file' "$logf"; then
    record "$case" cfn-lint FAIL "$STEP_SECS (cfn-lint did not run, see log)"
  elif ((errors == 0)); then
    record "$case" cfn-lint ok "$STEP_SECS (0 errors${warnings:+; warnings: $warnings})"
  else
    record "$case" cfn-lint FAIL "$STEP_SECS ($errors errors: $(grep -oE ':E[0-9]{4}:' "$logf" | sort -u | tr -d ':' | paste -sd' ' -))"
  fi
}

# worker CASE: the checks of one project (run SMGEN_JOBS at a time).
worker() {
  local case=$1
  CASE_BUF=$WORK/logs/$case/lines.txt
  : >"$CASE_BUF"
  step_tsc "$case"
  step_test "$case"
  if step_synth "$case"; then
    step_nag "$case"
    if [[ $HAVE_CFNLINT == 1 ]]; then step_cfnlint "$case"; fi
  else
    # A failed synth still leaves the validation report when cdk-nag stopped it.
    if [[ -f $WORK/projects/$case/cdk.out/validation-report.json ]]; then step_nag "$case"; else record "$case" nag skip "(synth failed)"; fi
    [[ $HAVE_CFNLINT == 1 ]] && record "$case" cfn-lint skip "(synth failed)"
  fi
  cat "$CASE_BUF"
}

# ------------------------------------------------------------------------------------ main phases --

render() {
  local case=$1 root=$WORK/projects/$1
  shift
  [[ $case =~ $ONLY ]] || return 0
  if [[ $LIST == 1 ]]; then
    printf '%s\n' "$case"
    return 0
  fi
  mkdir -p "$WORK/logs/$case"
  local rc=0
  run_step "$WORK/logs/$case/render.log" 120 "$SMGEN" generate "$@" --format cdk --out "$root" || rc=$?
  if ((rc != 0)); then
    record "$case" render FAIL "$STEP_SECS (smgen exit code $rc: $(grep -m1 -i 'error' "$WORK/logs/$case/render.log" | cut -c1-120))"
    return 0
  fi
  local -a bins=("$root"/bin/*.ts)
  if [[ ! -e ${bins[0]} || ! -f $root/package.json || ! -f $root/cdk.json ]]; then
    record "$case" render FAIL "$STEP_SECS (no bin/*.ts, package.json or cdk.json in the output)"
    return 0
  fi
  record "$case" render ok "$STEP_SECS ($(find "$root" -name '*.ts' | wc -l) .ts files)"
  RENDERED+=("$case")
}

render_presets() {
  local name
  while IFS= read -r name; do
    [[ -n $name ]] || continue
    render "preset-${name//[^A-Za-z0-9_-]/_}" --preset "$name"
  done < <("$SMGEN" presets --json | python3 -c 'import json, sys; [print(p["name"]) for p in json.load(sys.stdin)]')
}

render_matrix() {
  local mode nat kms iso work name studio notebooks
  local -a args
  while read -r mode nat kms iso work; do
    [[ -z $mode || $mode == \#* ]] && continue
    name="m-${mode%-only}-nat${nat//-/}-kms${kms//-/}-$([[ $iso == true ]] && echo iso || echo noiso)-$work"
    case $work in
      studio) studio=true notebooks=false ;;
      notebooks) studio=false notebooks=true ;;
      both) studio=true notebooks=true ;;
    esac
    args=(--preset "$MATRIX_BASE" --set "network.mode=$mode" --set "network.nat=$nat" --set "encryption.kms=$kms")
    [[ $kms == existing ]] && args+=(--set "encryption.key_arn=$EXISTING_KEY_ARN")
    args+=(--set "jobs.network_isolation=$iso" --set "jobs.inter_container_encryption=$iso")
    args+=(--set "needs.studio=$studio" --set "needs.notebook_instances=$notebooks")
    render "$name" "${args[@]}"
  done <<<"$MATRIX"
  # The trickiest tags AWS admits (smgen refuses the rest: quotes, `${`, `*`, see src/spec/rules.rs):
  # `//` in a key, YAML-significant `: `, and the Unicode line and paragraph separators, which end
  # a line inside a JavaScript string literal before ES2019. They must compile (tsc), reach the
  # stack unchanged (the generated tags test compares them), synthesize and pass cdk-nag/cfn-lint.
  render tricky-tags --preset public-only --set 'project.tags={ "team//x" = "a: b = c + d @ e/f \u2028 g \u2029 ünï 日本", "k.:/=+-@_" = "v" }'
  # An existing VPC whose route tables already route S3 through a gateway endpoint: reused, not
  # created (network.vpc.s3_gateway_endpoint_id), with the bucket admitting only that endpoint.
  render existing-s3-gateway --preset existing-vpc --set network.vpc.s3_gateway_endpoint_id=vpce-0123456789abcdef0 \
    --set data.deny_outside_vpc_endpoint=true --set 'data.deployer_role_arns=["arn:aws:iam::111122223333:role/smgen-deploy"]'
}

# The pins of a rendered package.json (dependencies and devDependencies), as sorted JSON.
pins_of() {
  python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))
deps = dict(p.get("dependencies", {}), **p.get("devDependencies", {}))
print(json.dumps(dict(sorted(deps.items())), separators=(",", ":")))' "$1"
}

# install_modules: npm install the pinned packages once into $CACHE/<hash of the pins>, with a
# lock so that two runs on one machine do not install over each other. Sets MODULES.
install_modules() {
  local pins hash dir start
  pins=$(pins_of "$WORK/projects/${RENDERED[0]}/package.json")
  hash=$(printf '%s' "$pins" | sha256sum | cut -c1-16)
  dir=$CACHE/$hash
  MODULES=$dir/node_modules
  mkdir -p "$dir"
  exec 8>"$dir.lock"
  command -v flock >/dev/null && flock 8
  if [[ -f $dir/.complete ]]; then
    log "node_modules: $dir (cached, pins $pins)"
  else
    log "node_modules: installing $pins into $dir"
    rm -rf "$dir/node_modules" "$dir/package-lock.json"
    python3 -c 'import json, sys; json.dump({"name": "smgen-cdk-node-cache", "private": True, "dependencies": json.loads(sys.argv[1])}, open(sys.argv[2], "w"), indent=2)' "$pins" "$dir/package.json"
    start=$SECONDS
    # --ignore-scripts: no install script is needed (esbuild and TypeScript ship their binaries as
    # optional dependencies), and none runs unreviewed.
    if ! (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error </dev/null); then
      die "npm install into $dir failed (see above)"
    fi
    touch "$dir/.complete"
    log "node_modules: installed in $((SECONDS - start))s ($(du -sh "$dir/node_modules" | cut -f1))"
  fi
  exec 8>&-
  local case
  for case in "${RENDERED[@]}"; do
    if [[ $(pins_of "$WORK/projects/$case/package.json") != "$pins" ]]; then
      record "$case" deps FAIL "(package.json pins differ from ${RENDERED[0]}'s)"
      continue
    fi
    ln -sfn "$MODULES" "$WORK/projects/$case/node_modules"
  done
}

report() {
  local case step status note logf passed=0 failed=0 skipped=0
  local -a fails=()
  while IFS=$'\t' read -r case step status note; do
    case $status in
      ok) ((passed += 1)) ;;
      FAIL)
        ((failed += 1))
        fails+=("$case/$step")
        ;;
      skip) ((skipped += 1)) ;;
    esac
  done <"$WORK/results.tsv"
  if ((${#fails[@]})); then
    printf '\n==================== logs of the failing steps ====================\n'
    local f lines
    for f in "${fails[@]}"; do
      case=${f%/*} step=${f##*/}
      logf=$WORK/logs/$case/$step.log
      printf '\n---------- FAIL %s %s (%s) ----------\n' "$step" "$case" "$logf"
      if [[ -f $logf ]]; then
        lines=$(wc -l <"$logf")
        sed -n "1,${LOG_LINES}p" "$logf"
        ((lines > LOG_LINES)) && printf '[... %s more lines; keep the logs with --keep DIR]\n' "$((lines - LOG_LINES))"
      fi
    done
  fi
  ((skipped == 0)) || printf 'validate-cdk: %s steps skipped because an earlier step failed\n' "$skipped"
  ((${#SKIPPED_TOOLS[@]} == 0)) || printf 'validate-cdk: not run (tool missing): %s\n' "${SKIPPED_TOOLS[*]}"
  printf 'validate-cdk: %s passed, %s failed\n' "$passed" "$failed"
  ((failed == 0))
}

main() {
  local smgen=target/debug/smgen keep=""
  ONLY='.*'
  LIST=0
  MODULES_ONLY=0
  JOBS=${SMGEN_JOBS:-2}
  while (($#)); do
    case $1 in
      --smgen) smgen=${2:?--smgen needs a path}; shift 2 ;;
      --only) ONLY=${2:?--only needs a regex}; shift 2 ;;
      --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
      --jobs) JOBS=${2:?--jobs needs a number}; shift 2 ;;
      --list) LIST=1; shift ;;
      --modules) MODULES_ONLY=1; ONLY='^preset-'; shift ;;
      --worker) worker "$2"; return 0 ;; # internal: one case's checks, run by xargs
      -h | --help) usage; return 0 ;;
      *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
  done
  [[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive number, not '$JOBS'" 2
  LOG_LINES=${SMGEN_LOG_LINES:-120}
  MATRIX_BASE=${SMGEN_MATRIX_BASE:-vpc-only-isolated}
  CACHE=${SMGEN_CDK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smgen/cdk-node}
  local ci=0
  [[ ${CI:-} == true || ${CI:-} == 1 ]] && ci=1

  if [[ $smgen != */* ]]; then
    smgen=$(command -v "$smgen") || die "smgen binary '$smgen' not found"
  fi
  [[ -x $smgen ]] || die "no smgen binary at '$smgen': build it first (cargo build) or pass --smgen PATH"
  SMGEN=$(cd "$(dirname "$smgen")" && pwd)/$(basename "$smgen")
  command -v python3 >/dev/null || die "python3 is required (to read JSON)"

  SKIPPED_TOOLS=()
  if [[ $LIST == 0 ]] && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
    if ((ci)); then
      die "node and npm are required (CI=true): install Node.js 20 or newer with npm (Debian: apt-get install nodejs npm)"
    fi
    log "node/npm not found: nothing to check (install Node.js 20+ with npm)"
    printf 'validate-cdk: 0 passed, 0 failed\n'
    return 0
  fi
  local venv=${SMGEN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/smgen/venv}
  HAVE_CFNLINT=0 CFNLINT=""
  if [[ -x $venv/bin/cfn-lint ]]; then
    CFNLINT=$venv/bin/cfn-lint HAVE_CFNLINT=1
  elif CFNLINT=$(command -v cfn-lint); then
    HAVE_CFNLINT=1
  elif ((ci)) && [[ $LIST == 0 ]]; then
    die "cfn-lint is not installed in $venv or on PATH (CI=true: required). Run scripts/setup-tools.sh."
  else
    SKIPPED_TOOLS+=("cfn-lint")
  fi

  if [[ $LIST == 1 ]]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/smgen-validate-cdk.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
  elif [[ -n $keep ]]; then
    mkdir -p "$keep"
    WORK=$(cd "$keep" && pwd)
    rm -rf "$WORK/projects" "$WORK/logs" "$WORK/results.tsv"
  else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/smgen-validate-cdk.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
  fi
  mkdir -p "$WORK/projects" "$WORK/logs"
  : >"$WORK/results.tsv"

  # Offline: no CDK version check, telemetry or notices, no AWS credentials or metadata service,
  # npm never asked for anything.
  export CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true
  export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  export WORK CFNLINT HAVE_CFNLINT LOG_LINES

  local t0=$SECONDS
  RENDERED=()
  if ((MODULES_ONLY)); then
    render_presets >/dev/null
    ((${#RENDERED[@]} > 0)) || die "no preset rendered (see $WORK/logs)"
    install_modules >/dev/null
    printf '%s\n' "$MODULES"
    return 0
  fi
  [[ $LIST == 1 ]] || log "smgen: $SMGEN; work directory: $WORK; $JOBS projects at a time"
  render_presets
  render_matrix
  [[ $LIST == 1 ]] && return 0
  ((${#RENDERED[@]} > 0)) || [[ -s $WORK/results.tsv ]] || die "no case matches --only '$ONLY'" 2
  if ((${#RENDERED[@]} > 0)); then
    install_modules
    export npm_config_offline=true
    local self
    self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
    local -a linked=()
    local case
    for case in "${RENDERED[@]}"; do
      [[ -L $WORK/projects/$case/node_modules ]] && linked+=("$case")
    done
    ((${#linked[@]} == 0)) || printf '%s\n' "${linked[@]}" | xargs -P "$JOBS" -I{} bash "$self" --worker {} || true
  fi
  log "checked ${#RENDERED[@]} projects in $((SECONDS - t0)) s"
  report
}

main "$@"

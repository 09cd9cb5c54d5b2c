#!/usr/bin/env bash
# Whole-process figures for projects of several environments: wall time and peak memory of
# `smgen generate` and `smgen generate --check` (one process over every environment) with
# 1, 10, 25 and 50 environments in each format. The README's performance section quotes it;
# `cargo bench --bench render -- environments` measures the same work in process.
#
#   scripts/bench-environments.sh [SMGEN]     # defaults to target/release/smgen (built if missing)
set -euo pipefail

cd "$(dirname "$0")/.."
bin=${1:-target/release/smgen}
if [[ ! -x $bin ]]; then
    cargo build --release --locked
fi
bin=$(realpath "$bin")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same answers as benches/render.rs `environments_config`: one account and VPC block per
# environment, every fifth in another Region, every tenth a production one.
config() {
    local n=$1 i
    printf '[project]\nname = "scale"\nregion = "eu-west-1"\n[studio]\nuser_profiles = ["ana"]\n'
    for ((i = 0; i < n; i++)); do
        printf '[environments.e%d.project]\naccount_id = "%012d"\ntags = { env = "e%d" }\n' "$i" $((100000000000 + i)) "$i"
        ((i % 5 == 4)) && printf 'region = "eu-central-1"\n'
        ((i % 10 == 9)) && printf 'stage = "production"\n'
        printf '[environments.e%d.network.vpc]\ncidr = "10.%d.0.0/16"\n' "$i" "$i"
    done
}

echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-15s %5s  %-22s %-22s %s\n' format envs "generate (s, peak KB)" "--check (s, peak KB)" "files"
for format in terraform cloudformation cdk; do
    for n in 1 10 25 50; do
        config "$n" >"$work/smgen.toml"
        out=$work/$format-$n
        /usr/bin/time -o "$work/t" -f '%e %M' "$bin" generate --config "$work/smgen.toml" --format "$format" --out "$out" -q >/dev/null 2>&1
        gen=$(cat "$work/t")
        /usr/bin/time -o "$work/t" -f '%e %M' "$bin" generate --config "$out/smgen.toml" --format "$format" --out "$out" --check -q >/dev/null 2>&1
        chk=$(cat "$work/t")
        files=$(find "$out" -type f -not -path '*/.smgen/*' | wc -l)
        printf '%-15s %5d  %-22s %-22s %d\n' "$format" "$n" "$gen" "$chk" "$files"
        rm -rf "$out"
    done
done

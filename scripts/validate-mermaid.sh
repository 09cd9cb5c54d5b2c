#!/usr/bin/env bash
# Mermaid check of smgen's diagrams: every preset's ARCHITECTURE.md (generated as a project, as
# users get it) and `smgen explain` over a few option combinations must hold Mermaid that parses.
#
# Parser: the `mermaid` npm package's own `mermaid.parse()` (what GitHub runs before drawing),
# under jsdom for the DOM that its label sanitizer needs, in plain Node: no browser, so nothing
# beyond the npm registry is downloaded (`@mermaid-js/mermaid-cli` would need puppeteer's
# Chromium). Versions are pinned below: mermaid 11.x and jsdom 26.x are the newest that run on
# Node 20 (mermaid 12 and jsdom 27+ require Node 22). They are installed once into a cache keyed
# by the pins (like scripts/validate-cdk.sh); later runs work offline. A deliberately broken
# diagram must fail, which proves the checker rejects bad input.
#
# Environment:
#   CI=true                 a missing node/npm is an error (otherwise: skipped, with a note)
#   SMGEN_MERMAID_CACHE     where the node_modules live (default ${XDG_CACHE_HOME:-~/.cache}/smgen/mermaid-node)
set -euo pipefail

MERMAID_VERSION=11.12.2
JSDOM_VERSION=26.1.0

usage() {
  cat <<'USAGE'
usage: scripts/validate-mermaid.sh [--smgen PATH] [--keep DIR]

  --smgen PATH   smgen binary to test (default: target/debug/smgen; build it first)
  --keep DIR     write the projects and explanations into DIR and keep them (default: a temporary directory)
USAGE
}

log() { printf 'validate-mermaid: %s\n' "$*" >&2; }
die() {
  printf 'validate-mermaid: error: %s\n' "$1" >&2
  exit "${2:-1}"
}

# install_modules: the pinned packages in $CACHE/<hash>, once, under a lock. Sets DIR.
install_modules() {
  local pins hash
  pins="mermaid@$MERMAID_VERSION jsdom@$JSDOM_VERSION"
  hash=$(printf '%s' "$pins" | sha256sum | cut -c1-16)
  DIR=$CACHE/$hash
  mkdir -p "$DIR"
  exec 8>"$DIR.lock"
  command -v flock >/dev/null && flock 8
  if [[ -f $DIR/.complete ]]; then
    log "node_modules: $DIR (cached, $pins)"
  else
    log "node_modules: installing $pins into $DIR"
    rm -rf "$DIR/node_modules" "$DIR/package-lock.json"
    printf '{"name":"smgen-mermaid-check","private":true,"type":"module","dependencies":{"mermaid":"%s","jsdom":"%s"}}\n' \
      "$MERMAID_VERSION" "$JSDOM_VERSION" >"$DIR/package.json"
    # --ignore-scripts: neither package needs an install script, and none runs unreviewed.
    (cd "$DIR" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error </dev/null) ||
      die "npm install into $DIR failed (see above)"
    touch "$DIR/.complete"
  fi
  exec 8>&-
  # The checker resolves its imports from its own folder, so it runs from the cache.
  cp "$ROOT/scripts/mermaid-check.mjs" "$DIR/check.mjs"
}

main() {
  local smgen=target/debug/smgen keep=""
  while (($#)); do
    case $1 in
      --smgen) smgen=${2:?--smgen needs a path}; shift 2 ;;
      --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
      -h | --help) usage; return 0 ;;
      *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
  done
  ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  CACHE=${SMGEN_MERMAID_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smgen/mermaid-node}
  [[ -x $smgen ]] || die "no smgen binary at $smgen (run cargo build first)" 2
  smgen=$(cd "$(dirname "$smgen")" && pwd)/$(basename "$smgen")
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    [[ ${CI:-} == true || ${CI:-} == 1 ]] && die "node and npm are required in CI"
    log "node/npm not installed: skipped"
    return 0
  fi
  if [[ -n $keep ]]; then
    mkdir -p "$keep"
    WORK=$(cd "$keep" && pwd)
  else
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
  fi
  local work=$WORK

  local -a files=()
  local name
  while IFS= read -r name; do
    [[ -n $name ]] || continue
    "$smgen" generate --preset "$name" --format terraform --out "$work/preset-$name" >/dev/null 2>&1 ||
      die "smgen generate --preset $name failed"
    files+=("$work/preset-$name/ARCHITECTURE.md")
  done < <("$smgen" presets --json | python3 -c 'import json, sys; [print(p["name"]) for p in json.load(sys.stdin)]')
  # Combinations the presets do not cover: NAT per AZ over three zones, public only with
  # direct-internet notebooks, the on-prem-free existing VPC with NAT requested, no isolation.
  local -a combos=(
    "nat-per-az-3az|--preset vpc-only-isolated --set network.nat=per-az --set network.vpc.azs=3"
    "public-notebooks|--preset public-only --set needs.notebook_instances=true --set notebook.direct_internet_access=true"
    "no-isolation-nat|--preset vpc-only-nat --set jobs.network_isolation=false --set needs.jumpstart=true"
    "aws-managed-single-nat|--preset regulated --set encryption.kms=aws-managed --set network.nat=single"
  )
  local combo args
  for combo in "${combos[@]}"; do
    name=${combo%%|*}
    read -r -a args <<<"${combo#*|}"
    "$smgen" explain "${args[@]}" >"$work/explain-$name.md" || die "smgen explain $name failed"
    files+=("$work/explain-$name.md")
  done
  # The negative control: an edge to nowhere and an unterminated subgraph.
  # shellcheck disable=SC2016  # the backticks are the Markdown fence, not a command
  printf '```mermaid\nflowchart LR\n  a["x"] -->|"y"|\n  subgraph s["z"]\n```\n' >"$work/broken.md"

  install_modules
  local rc=0
  (cd "$DIR" && node check.mjs "${files[@]}") || rc=$?
  if (cd "$DIR" && node check.mjs "$work/broken.md" >/dev/null); then
    log "the checker accepted a broken diagram: it checks nothing"
    rc=1
  else
    printf 'ok    negative control: a broken diagram is rejected\n'
  fi
  if ((rc == 0)); then
    printf 'validate-mermaid: %s diagrams parse (mermaid %s)\n' "${#files[@]}" "$MERMAID_VERSION"
  else
    printf 'validate-mermaid: FAILED\n'
  fi
  return "$rc"
}

main "$@"

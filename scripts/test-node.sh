#!/usr/bin/env bash
# The tests again on another Node.js version: `scripts/test-node.sh 22.12.0 [unit|integration|install]...`
# (all three when none is named). The toolchain (pnpm, turbo, tsup) stays on the machine's Node;
# only the tests run on the other one: vitest is started with that node binary
# (scripts/ensure-node.sh), which is also first on PATH for whatever the tests spawn (npm in the
# demo's pack test). Every test file checks that it runs on that version (scripts/vitest-node-check.ts).
#   unit         each package's `test` script (vitest on src/)
#   integration  each package's `test:integration` script, one package at a time, against
#                $NATS_SERVER_BIN (scripts/ensure-nats-server.sh when unset); apps/chaos's campaign
#                is left out (it runs twice on the machine's Node): NATSKIT_NODE_CHAOS=1 adds it
#   install      `npm install --engine-strict` of the four packed libraries, then an ESM import and
#                a require() of each, as a user on that Node.js version would
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export TURBO_TELEMETRY_DISABLED=1

libs=(nats-connection interpolation jetstream-output kv-cache)

# The Node.js versions the libraries declare: the lowest release of each range in their
# engines.node, which must be the same `^X.Y.Z || ^A.B.C` in all four, so what is declared is what
# scripts/test.sh tests.
if [ "${1:-}" = --versions ]; then
  node - "${libs[@]}" <<'EOF'
const { readFileSync } = require("node:fs");
const ranges = new Map();
for (const n of process.argv.slice(2)) {
  const range = JSON.parse(readFileSync(`packages/${n}/package.json`, "utf8")).engines?.node;
  ranges.set(range, [...(ranges.get(range) ?? []), n]);
}
const fail = (msg) => { console.error(`scripts/test-node.sh --versions: ${msg}`); process.exit(1); };
if (ranges.size !== 1) fail(`the libraries declare different engines.node: ${JSON.stringify(Object.fromEntries(ranges))}`);
const [range] = ranges.keys();
const floors = String(range).split("||").map((r) => /^\s*\^(\d+\.\d+\.\d+)\s*$/.exec(r)?.[1]);
if (floors.includes(undefined)) fail(`engines.node '${range}' is not of the form '^X.Y.Z || ^A.B.C'`);
console.log(floors.join(" "));
EOF
  exit
fi

version=${1:?usage: scripts/test-node.sh <node version> [unit|integration|install]... | --versions}
shift
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(unit integration install)

node=$(bash scripts/ensure-node.sh "$version")
want=$("$node" -p 'process.versions.node')
# For what the tests spawn by name (npm, pnpm); the script's own pnpm keeps the machine's node.
node_path="$(dirname "$node"):$PATH"
export NATSKIT_EXPECT_NODE=$want
export NATSKIT_NODE_REPORT
NATSKIT_NODE_REPORT=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$NATSKIT_NODE_REPORT" "$work"' EXIT
vitest="$root/node_modules/vitest/vitest.mjs"

say() { echo "test-node v$want: $*"; }

# Runs the package script $2 of every workspace package that has it, with vitest on this node.
run_script() {
  local label=$1 script=$2 dir cmd start
  for dir in packages/*/ apps/*/; do
    dir=${dir%/}
    cmd=$(cd "$dir" && "$node" -p "require('./package.json').scripts?.['$script'] ?? ''")
    [ -n "$cmd" ] || continue
    if [[ $cmd != "vitest "* ]]; then
      echo "$dir: script '$script' is '$cmd'; scripts/test-node.sh runs only 'vitest …' scripts" >&2
      exit 1
    fi
    if [ "$dir" = apps/chaos ] && [ "$script" = test:integration ] && [ "${NATSKIT_NODE_CHAOS:-}" != 1 ]; then
      say "$label $dir: skipped (the chaos campaign runs twice on the machine's Node; NATSKIT_NODE_CHAOS=1 runs it here)"
      continue
    fi
    start=$SECONDS
    # shellcheck disable=SC2086 # the script's arguments, split as a shell would
    (cd "$dir" && PATH=$node_path "$node" "$vitest" ${cmd#vitest })
    say "$label $dir: $((SECONDS - start)) s"
  done
}

install_check() {
  local n file start=$SECONDS
  local project="$work/project" tarballs="$work/tarballs"
  mkdir -p "$project" "$tarballs"
  # Packed by the machine's toolchain, as a release would be; `pnpm pack` rewrites workspace:^.
  pnpm exec turbo run build --filter "./packages/*" --output-logs=errors-only
  local deps="{"
  for n in "${libs[@]}"; do
    (cd "packages/$n" && pnpm pack --pack-destination "$tarballs" >/dev/null)
    file=$(cd "$tarballs" && ls "natskit-$n-"*.tgz)
    deps+="\"@natskit/$n\": \"file:../tarballs/$file\","
  done
  deps="${deps%,}}"
  # overrides: the libraries' ^0.0.0 ranges on each other resolve to the tarballs, not the registry.
  cat >"$project/package.json" <<EOF
{ "name": "natskit-node-$want", "private": true, "type": "module", "dependencies": $deps, "overrides": $deps }
EOF
  # The machine's npm, run by this node (first on PATH): engines are checked against v$want.
  (cd "$project" && PATH=$node_path npm install --engine-strict --no-audit --no-fund --loglevel=error)
  local imports="" requires=""
  for n in "${libs[@]}"; do
    imports+="await import('@natskit/$n');"
    requires+="require('@natskit/$n');"
  done
  (cd "$project" && "$node" --input-type=module -e "$imports" &&
    "$node" --no-warnings --input-type=commonjs -e "$requires")
  say "install: npm install --engine-strict of the 4 packed libraries, ESM import and require() of each: ok ($((SECONDS - start)) s)"
}

say "node $node"
for step in "${steps[@]}"; do
  case $step in
    unit) run_script unit test ;;
    integration)
      NATS_SERVER_BIN=$(bash scripts/ensure-nats-server.sh)
      export NATS_SERVER_BIN
      say "integration tests against $NATS_SERVER_BIN ($("$NATS_SERVER_BIN" --version))"
      run_script integration test:integration
      ;;
    install) install_check ;;
    *) echo "unknown step '$step' (unit, integration, install)" >&2; exit 2 ;;
  esac
done

seen=$(sort "$NATSKIT_NODE_REPORT" | uniq -c | awk '{ printf "%s%s × %s", sep, $1, $2; sep = ", " }')
if [[ " ${steps[*]} " =~ " unit " || " ${steps[*]} " =~ " integration " ]]; then
  [ -n "$seen" ] || { echo "test-node v$want: no test file reported its Node.js version" >&2; exit 1; }
  say "test files ran on: $seen"
fi

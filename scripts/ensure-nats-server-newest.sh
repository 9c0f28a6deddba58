#!/usr/bin/env bash
# Prints the path of the newest nats-server that Debian ships (unstable, else testing), for a
# second integration run that covers what Debian stable's 2.9.10 lacks: tls handshake_first
# (>= 2.10) and per-key TTL (>= 2.11). The .deb is fetched with apt-get from a private apt state
# (signatures checked against the Debian archive keyring; the system's apt setup is not touched)
# and unpacked into ./.tools/newest. A Go binary that needs only libc, so it runs on older Debian.
# Order: $NATS_SERVER_NEWEST_BIN, ./.tools/newest, then the download.
# Everything but the final path goes to stderr, so `bin=$(scripts/ensure-nats-server-newest.sh)` works.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$root/.tools/newest"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

found() { "$1" --version >/dev/null 2>&1 && { echo "$1"; exit 0; }; }

if [ -n "${NATS_SERVER_NEWEST_BIN:-}" ]; then
  found "$NATS_SERVER_NEWEST_BIN"
  echo "NATS_SERVER_NEWEST_BIN=$NATS_SERVER_NEWEST_BIN is not a runnable nats-server" >&2; exit 1
fi
[ -x "$dir/usr/sbin/nats-server" ] && found "$dir/usr/sbin/nats-server"

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1 || [ ! -r "$keyring" ]; then
  echo "cannot fetch the newest nats-server: needs apt-get, dpkg-deb and $keyring (Debian/Ubuntu); set NATS_SERVER_NEWEST_BIN instead" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/get"
cat >"$work/sources.list" <<EOF
deb [signed-by=$keyring] http://deb.debian.org/debian sid main
deb [signed-by=$keyring] http://deb.debian.org/debian testing main
EOF
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
  -o Acquire::Languages=none -o Debug::NoLocking=true -o APT::Sandbox::User="$(id -un)"
)
echo "fetching the newest nats-server from Debian unstable/testing into $dir" >&2
apt-get "${apt_opts[@]}" -qq update >&2
(cd "$work/get" && apt-get "${apt_opts[@]}" -qq download nats-server >&2)
rm -rf "$dir"
mkdir -p "$dir"
dpkg-deb -x "$(ls "$work"/get/nats-server_*.deb | head -n1)" "$dir"
found "$dir/usr/sbin/nats-server"
echo "the downloaded nats-server does not run on this machine" >&2
exit 1

#!/usr/bin/env bash
# Prints the path of the newest nats-server that Debian ships (unstable, else testing), for a
# second integration run that covers what Debian stable's 2.9.10 lacks: tls handshake_first
# (>= 2.10) and per-key TTL (>= 2.11). The .deb is fetched with apt-get from a private apt state
# (signatures checked against the Debian archive keyring; the system's apt setup is read for its
# mirror, never changed)
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

# The Debian archive this machine's apt already uses (a mirror, a proxy, a snapshot service):
# the first URI of its deb sources that is not the security or another add-on archive.
# NATSKIT_DEBIAN_MIRROR overrides it.
apt_mirror() {
  local etc=${APT_ETC:-/etc/apt}
  {
    for f in "$etc"/sources.list.d/*.sources; do
      [ -r "$f" ] && awk 'tolower($1)=="uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
    done
    for f in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
      [ -r "$f" ] && awk '$1=="deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } print $i }' "$f"
    done
  } | grep -E '^(https?|file|mirror\+[a-z]+)://' | grep -Ev -- '-security|/security|-backports|-updates' | head -n1
}
mirror=${NATSKIT_DEBIAN_MIRROR:-$(apt_mirror || true)}
if [ -z "$mirror" ]; then
  echo "cannot fetch the newest nats-server: no Debian archive found in the apt configuration (/etc/apt); set NATSKIT_DEBIAN_MIRROR or NATS_SERVER_NEWEST_BIN" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/get"
cat >"$work/sources.list" <<EOF
deb [signed-by=$keyring] ${mirror%/} sid main
deb [signed-by=$keyring] ${mirror%/} testing main
EOF
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
  -o Acquire::Languages=none -o Debug::NoLocking=true -o APT::Sandbox::User="$(id -un)"
)
echo "fetching the newest nats-server from Debian unstable/testing ($mirror) into $dir" >&2
apt-get "${apt_opts[@]}" -qq update >&2
(cd "$work/get" && apt-get "${apt_opts[@]}" -qq download nats-server >&2)
rm -rf "$dir"
mkdir -p "$dir"
dpkg-deb -x "$(ls "$work"/get/nats-server_*.deb | head -n1)" "$dir"
found "$dir/usr/sbin/nats-server"
echo "the downloaded nats-server does not run on this machine" >&2
exit 1

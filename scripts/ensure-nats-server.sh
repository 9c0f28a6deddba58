#!/usr/bin/env bash
# Prints the path of a usable nats-server binary, installing it on Debian/Ubuntu when missing.
# Order: $NATS_SERVER_BIN, `nats-server` on PATH, /usr/sbin/nats-server, ./.tools, then apt.
# Everything but the final path goes to stderr, so `bin=$(scripts/ensure-nats-server.sh)` works.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
hint="nats-server not found: set NATS_SERVER_BIN, put nats-server on PATH, or run scripts/ensure-nats-server.sh (Debian/Ubuntu: apt-get install nats-server)"

found() { "$1" --version >/dev/null 2>&1 && { echo "$1"; exit 0; }; }

if [ -n "${NATS_SERVER_BIN:-}" ]; then
  found "$NATS_SERVER_BIN"
  echo "NATS_SERVER_BIN=$NATS_SERVER_BIN is not a runnable nats-server" >&2; exit 1
fi
if command -v nats-server >/dev/null 2>&1; then found "$(command -v nats-server)"; fi
[ -x /usr/sbin/nats-server ] && found /usr/sbin/nats-server
[ -x "$tools/usr/sbin/nats-server" ] && found "$tools/usr/sbin/nats-server"

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing nats-server with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq nats-server >&2 || { apt-get update -qq >&2 && apt-get install -y -qq nats-server >&2; }
    found /usr/sbin/nats-server
  else
    echo "downloading nats-server into $tools (no root: apt-get download + dpkg-deb -x)" >&2
    mkdir -p "$tools/deb"
    (cd "$tools/deb" && apt-get download nats-server >&2)
    dpkg-deb -x "$(ls -t "$tools"/deb/nats-server_*.deb | head -n1)" "$tools"
    found "$tools/usr/sbin/nats-server"
  fi
fi
echo "$hint" >&2
exit 1

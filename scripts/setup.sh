#!/usr/bin/env bash
# One-time set-up on a fresh machine (Debian/Ubuntu, Node >= 20.19): pnpm through corepack, the
# workspace's dependencies, nats-server, and a build. `--no-demo` skips the final demo run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export TURBO_TELEMETRY_DISABLED=1

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error(`natskit needs Node >= 20.19, this is ${process.version}`); process.exit(1) }'

if ! pnpm --version >/dev/null 2>&1; then
  echo "setup: enabling pnpm through corepack" >&2
  if ! corepack enable pnpm 2>/dev/null; then
    mkdir -p "$HOME/.local/bin"
    corepack enable --install-directory "$HOME/.local/bin" pnpm
    export PATH="$HOME/.local/bin:$PATH"
    echo "setup: pnpm shim is in ~/.local/bin; add it to PATH" >&2
  fi
fi
pnpm --version >/dev/null

if [ "${CI:-}" = "true" ]; then pnpm install --frozen-lockfile; else pnpm install; fi
bash scripts/ensure-nats-server.sh >/dev/null
# The newest Debian nats-server, for the second integration run (best effort: see scripts/test.sh).
bash scripts/ensure-nats-server-newest.sh >/dev/null || echo "setup: no newer nats-server fetched; pnpm test will say so" >&2
# The TLS tests generate their certificates with the openssl CLI.
if ! command -v openssl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >&2 || { apt-get update -qq && apt-get install -y -qq openssl; }
  else
    echo "setup: openssl not found; the TLS tests need it (Debian/Ubuntu: apt-get install openssl)" >&2
  fi
fi
pnpm exec turbo run build

if [ "${1:-}" != "--no-demo" ]; then
  pnpm demo
fi

#!/usr/bin/env bash
# The whole test suite: lint, type checks, unit tests, package checks, then the integration
# tests against real nats-server processes (one package at a time: 2 cores here).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export TURBO_TELEMETRY_DISABLED=1
NATS_SERVER_BIN=$(bash scripts/ensure-nats-server.sh)
export NATS_SERVER_BIN
echo "test: using $NATS_SERVER_BIN ($("$NATS_SERVER_BIN" --version))"

pnpm exec biome check .
pnpm exec changeset status >/dev/null
pnpm exec turbo run typecheck test check-exports --output-logs=errors-only
pnpm exec turbo run test:integration --concurrency=1 --output-logs=full

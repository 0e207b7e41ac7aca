#!/usr/bin/env bash
# Create .venv with the server, the Python SDK/CLI and the dev tools; install the Node SDK's
# dependencies from its lockfile. Safe to re-run. Needs Python 3.11+ (and Node 20 for the SDK).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e server -e "sdk/python[dev]" -r requirements-dev.txt
if [ -f sdk/node/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "warning: npm not found; skipping the Node SDK (install Node 20+ to build and test it)" >&2
  elif [ -f sdk/node/package-lock.json ]; then
    (cd sdk/node && npm ci --silent --no-audit --no-fund)
  else
    (cd sdk/node && npm install --silent --no-audit --no-fund)
  fi
fi

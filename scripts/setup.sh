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
if [ -f sdk/node/package-lock.json ] && command -v npm >/dev/null 2>&1; then
  (cd sdk/node && npm ci --silent --no-audit --no-fund)
fi

#!/usr/bin/env bash
# Create .venv with the server, the Python SDK/CLI and the dev tools; install the Node SDK's
# dependencies from its lockfile. Safe to re-run. Needs Python 3.11+ (and Node 20 for the SDK).
set -euo pipefail
cd "$(dirname "$0")/.."

# The interpreter: $PYTHON when set; else the system's /usr/bin/python3 when it is 3.11 or newer
# and can make a venv; else python3 on the PATH. Distributions build their Python with
# profile-guided and link-time optimization. pyenv's default build has neither, and the server
# runs about 12 % more instructions per API create on it (benchmarks/create_instructions.py,
# docs/decisions/0517-an-optimized-interpreter.md).
pick_python() {
  if [ -n "${PYTHON:-}" ]; then
    echo "$PYTHON"
  elif [ -x /usr/bin/python3 ] &&
    /usr/bin/python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo /usr/bin/python3
  else
    echo python3
  fi
}
if [ ! -x .venv/bin/python ]; then
  PY=$(pick_python)
  echo "setup: making .venv with $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))"
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

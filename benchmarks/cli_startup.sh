#!/usr/bin/env bash
# CLI startup time of `keito --help` and `keito time running --json` (budget 0.3 s); see cli_startup.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python benchmarks/cli_startup.py "$@"

#!/usr/bin/env bash
# The whole test suite: set-up, lint, types, layering, Python tests (server, SDK, CLI, browser)
# on SQLite and PostgreSQL, and the Node SDK's tests. `.ci/run` runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ -x scripts/setup-browser.sh ]; then ./scripts/setup-browser.sh; fi
echo "== ruff"; .venv/bin/ruff check .
echo "== ruff format"; .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== pytest"; .venv/bin/pytest -n "${KEITO_TEST_WORKERS:-2}" --dist loadfile -q "$@"
if [ -f sdk/node/package.json ]; then
  echo "== node sdk"; (cd sdk/node && npm run build --silent && npm test --silent)
fi

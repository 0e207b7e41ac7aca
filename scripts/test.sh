#!/usr/bin/env bash
# The whole test suite: set-up, lint, types, layering, Python tests (server, SDK, CLI, browser,
# multi-process) on SQLite and PostgreSQL, and the Node SDK's tests. `.ci/run` runs exactly this.
# Extra arguments go to pytest (e.g. `./scripts/test.sh server/tests/test_idempotency.py`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ -x scripts/setup-browser.sh ]; then ./scripts/setup-browser.sh; fi
echo "== ruff"; .venv/bin/ruff check .
echo "== ruff format"; .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== pytest (SQLite and PostgreSQL)"
# Every test has its own time limit (pytest-timeout, pyproject.toml); the run as a whole gets
# KEITO_TEST_BUDGET_MINUTES (default 80), so a hang fails CI well inside its 90 minutes.
rc=0
timeout --signal=INT --kill-after=60 "$(( ${KEITO_TEST_BUDGET_MINUTES:-80} * 60 ))" \
  .venv/bin/pytest -n "${KEITO_TEST_WORKERS:-2}" --dist loadfile -q "$@" || rc=$?
if [ "$rc" = 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
elif [ "$rc" = 124 ]; then
  echo "pytest ran past its ${KEITO_TEST_BUDGET_MINUTES:-80}-minute budget" >&2
  exit 1
elif [ "$rc" != 0 ]; then
  exit "$rc"
fi
if [ -f sdk/node/package.json ] && [ $# = 0 ]; then
  command -v npm >/dev/null || { echo "sdk/node exists but npm is missing" >&2; exit 1; }
  echo "== node sdk"; (cd sdk/node && npm test --silent)
fi
echo "== all green"

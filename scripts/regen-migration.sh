#!/usr/bin/env bash
# Before the first release the schema is one migration, regenerated from the models, plus
# hand-written revisions for what autogenerate cannot see (0002: the context-version triggers,
# ADR 0515), which are set aside while 0001 is regenerated and kept as they are.
# After a release, add new revisions with `alembic revision --autogenerate` instead.
set -euo pipefail
cd "$(dirname "$0")/../server/src/keito_server/db"
tmp=$(mktemp -d)
rm -f migrations/versions/0001_initial.py
for f in migrations/versions/0*.py; do [ -e "$f" ] && mv "$f" "$tmp/"; done
trap 'mv "$tmp"/0*.py migrations/versions/ 2>/dev/null || true; rm -rf "$tmp"' EXIT
KEITO_DATABASE_URL="sqlite:///$tmp/m.db" ../../../../.venv/bin/alembic -c alembic.ini revision --autogenerate -m initial --rev-id 0001 >/dev/null
echo "regenerated migrations/versions/0001_initial.py"

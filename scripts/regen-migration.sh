#!/usr/bin/env bash
# Before the first release the schema is one migration, regenerated from the models.
# After a release, add new revisions with `alembic revision --autogenerate` instead.
set -euo pipefail
cd "$(dirname "$0")/../server/src/keito_server/db"
tmp=$(mktemp -d)
rm -f migrations/versions/0001_initial.py
KEITO_DATABASE_URL="sqlite:///$tmp/m.db" ../../../../.venv/bin/alembic -c alembic.ini revision --autogenerate -m initial --rev-id 0001 >/dev/null
rm -rf "$tmp"
echo "regenerated migrations/versions/0001_initial.py"

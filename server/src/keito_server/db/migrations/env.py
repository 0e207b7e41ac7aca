"""Alembic environment: SQLite runs in batch mode; the URL comes from the caller
(``migrate.alembic_config``) or, for the ``alembic`` command line, from ``KEITO_DATABASE_URL``.

Only the URL is read here: building full Settings would create a secret key in the current
directory as a side effect.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context
from keito_server.db.models import Base
from keito_server.settings import normalize_database_url
from sqlalchemy import create_engine, pool

config = context.config
url = config.attributes.get("database_url") or normalize_database_url(
    os.environ.get("KEITO_DATABASE_URL")
    or f"sqlite:///{Path(os.environ.get('KEITO_DATA_DIR') or Path.cwd() / '.keito-data').resolve() / 'keito.db'}"
)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

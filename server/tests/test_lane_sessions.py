"""``Database.lane_session`` on SQLite (ADR 0509): the direct lane's thread runs every session on
the connection it holds, and a session that ends without committing (a request that failed
half way) leaves no write transaction, and so no write lock, behind. In process, on a real
SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from keito_server.db.engine import Database
from sqlalchemy import text


def _driver(session: Any) -> Any:
    return session.connection().connection.dbapi_connection


def test_a_sqlite_lane_session_runs_on_its_threads_connection_and_never_keeps_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "keito.db"
    db = Database(f"sqlite:///{path}")
    try:
        with db.lane_session() as first:
            held = _driver(first)
            first.execute(text("CREATE TABLE things (x INTEGER)"))
            first.execute(text("INSERT INTO things VALUES (1)"))
            first.commit()
        with db.lane_session() as failed:
            assert _driver(failed) is held
            failed.execute(text("INSERT INTO things VALUES (2)"))
            # ends here without a commit, as a request that raised after its first write
        other = sqlite3.connect(path, timeout=0)  # would fail at once if the write lock were held
        try:
            other.execute("BEGIN IMMEDIATE")
            assert other.execute("SELECT x FROM things").fetchall() == [(1,)]
            other.execute("ROLLBACK")
        finally:
            other.close()

        elsewhere: list[Any] = []

        def another_lane_thread() -> None:
            with db.lane_session() as session:
                elsewhere.append(_driver(session))

        thread = threading.Thread(target=another_lane_thread)
        thread.start()
        thread.join()
        assert elsewhere and elsewhere[0] is not held  # each lane thread holds its own
    finally:
        db.dispose()

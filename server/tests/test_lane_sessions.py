"""``Database.lane_session`` (ADR 0509). On SQLite the direct lane's thread runs every session on
the connection it holds, and a session that ends without committing (a request that failed
half way) leaves no write transaction, and so no write lock, behind. On both databases a lane
thread keeps its session from one request to the next, empty. In process, on a real SQLite
file and a real PostgreSQL database."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from keito_server.db.engine import HELD_CONNECTION, Database
from sqlalchemy import select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from conftest import backends
from tests.support.live import create_pg_database, drop_pg_database


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


class _Base(DeclarativeBase):
    pass


class _Note(_Base):
    __tablename__ = "lane_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


@pytest.mark.parametrize("backend", backends())
def test_a_lane_thread_keeps_its_session_and_each_request_finds_it_empty(backend: str, tmp_path: Path) -> None:
    """A lane thread reuses its session (Database.end_lane_session): whatever a request left in
    it (objects, a transaction, a note in ``info``) is gone for the next, a write it did not
    commit is rolled back, and another thread has a session of its own."""
    url = f"sqlite:///{tmp_path / 'keito.db'}" if backend == "sqlite" else create_pg_database()
    db = Database(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        _Base.metadata.create_all(db.write_engine)
        first = db.lane_session()
        first.info["auth_cache_stale"] = True
        note = _Note(id=1, text="kept")  # held here, so the identity map (weak) keeps it
        first.add(note)
        first.commit()  # as a service does: committed, its objects still in the session
        assert not first.in_transaction() and len(first.identity_map) == 1
        db.end_lane_session(first)

        second = db.lane_session()
        assert second is first
        assert len(second.identity_map) == 0 and not second.in_transaction()
        assert "auth_cache_stale" not in second.info and note not in second
        assert (HELD_CONNECTION in second.info) is (backend == "postgres")
        second.add(_Note(id=2, text="never committed"))
        second.flush()  # as a request that raised after its write
        db.end_lane_session(second)

        third = db.lane_session()
        assert third is first and not third.new and not third.in_transaction()
        assert sorted(third.scalars(select(_Note.id)).all()) == [1]
        db.end_lane_session(third)

        elsewhere: list[Any] = []
        thread = threading.Thread(target=lambda: elsewhere.append(db.lane_session()))
        thread.start()
        thread.join()
        assert elsewhere and elsewhere[0] is not first
    finally:
        db.dispose()
        if backend == "postgres":
            drop_pg_database(url)

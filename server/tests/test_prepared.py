"""db/prepared.py: statements run on the DBAPI cursor write and read exactly what
``Connection.execute`` writes and reads, and fail as it fails (ADR 0508). In process, on a real
SQLite file and a real PostgreSQL database of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from keito_server.db.prepared import Prepared
from keito_server.db.types import JSONType, Money, UTCDateTime
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from conftest import backends
from tests.support.live import PG_ADMIN_URL, create_pg_database, drop_pg_database, postgres_available

meta = MetaData()
things = Table(
    "prepared_things",
    meta,
    Column("id", String(32), primary_key=True),
    Column("amount", Money, nullable=True),
    Column("at", UTCDateTime, nullable=True),
    Column("day", Date, nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("count", Integer, nullable=True),
    Column("doc", JSONType, nullable=True),
)
INSERT = Prepared(insert(things).values({c.key: bindparam(c.key, type_=c.type) for c in things.c}))
BY_ID = Prepared(select(*things.c).where(things.c.id == bindparam("id")))

ROW: dict[str, Any] = {
    "amount": Decimal("123.456789"),
    "at": datetime(2026, 2, 28, 23, 59, 30, 123456, tzinfo=UTC),
    "day": date(2026, 2, 28),
    "flag": True,
    "count": 7,
    "doc": {"session_id": "s-1", "tokens": [1, 2], "nested": {"ok": None}},
}
EMPTY: dict[str, Any] = dict.fromkeys(ROW)
# The other side of each writer: false, the smallest integer the column holds, a negative amount.
OTHER: dict[str, Any] = {**ROW, "amount": Decimal("-0.50"), "flag": False, "count": -(2**31), "doc": ["é", 1.5]}


@pytest.fixture(params=backends())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield from _with_tables(f"sqlite:///{tmp_path / 'prepared.db'}")
    else:
        yield from _with_tables(create_pg_database())


def _with_tables(url: str) -> Iterator[Engine]:
    """An engine on ``url`` with this module's table; a PostgreSQL database is dropped after."""
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    eng = create_engine(url)
    meta.create_all(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        if url.startswith("postgresql"):
            drop_pg_database(url)


@pytest.mark.parametrize("values", [ROW, EMPTY], ids=["values", "nulls"])
def test_a_prepared_insert_stores_what_core_stores_and_reads_back_as_core_reads(
    engine: Engine, values: dict[str, Any]
) -> None:
    with engine.begin() as conn:
        conn.execute(insert(things), {"id": "core", **values})
        INSERT.rows(conn, {"id": "prepared", **values})
    with engine.connect() as conn:
        stored = {  # the database's own values, with no type processing on the way out
            r[0]: r[1:] for r in conn.exec_driver_sql("SELECT * FROM prepared_things ORDER BY id").fetchall()
        }
        assert stored["prepared"] == stored["core"]
        read = BY_ID.rows(conn, {"id": "prepared"})
        assert read == [("prepared", *values.values())]
        core = conn.execute(select(*things.c).where(things.c.id == "core")).one()
        assert read[0][1:] == tuple(core)[1:]
        assert BY_ID.rows(conn, {"id": "missing"}) == []


def test_a_duplicate_key_is_sqlalchemys_integrity_error_and_the_transaction_can_roll_back(engine: Engine) -> None:
    with engine.connect() as conn:
        INSERT.rows(conn, {"id": "one", **EMPTY})
        with pytest.raises(IntegrityError) as caught:
            INSERT.rows(conn, {"id": "one", **EMPTY})
        assert not caught.value.connection_invalidated
        conn.rollback()
        assert conn.exec_driver_sql("SELECT count(*) FROM prepared_things").scalar() == 0


def test_a_lost_postgresql_connection_is_invalidated_and_said_so(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs in process: it has no server connection to lose")
    import psycopg

    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        conn.rollback()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(DBAPIError) as caught:
            INSERT.rows(conn, {"id": "lost", **EMPTY})
        assert caught.value.connection_invalidated
        assert conn.invalidated
    with engine.connect() as conn:  # the pool hands out a new, working connection
        INSERT.rows(conn, {"id": "after", **EMPTY})
        conn.commit()
        assert [r[0] for r in BY_ID.rows(conn, {"id": "after"})] == ["after"]


def test_a_statement_with_an_expanding_parameter_is_refused(engine: Engine) -> None:
    listed = Prepared(select(things.c.id).where(things.c.id.in_(bindparam("ids", expanding=True))))
    with engine.connect() as conn, pytest.raises(ValueError, match="cannot run the parameter 'ids'"):
        listed.rows(conn, {"ids": ["a"]})


def test_rows_come_back_from_a_select_a_returning_insert_and_a_text_select_and_none_from_a_plain_write(
    engine: Engine,
) -> None:
    """Whether a statement returns rows is decided once, from the statement (a SELECT, or DML
    with RETURNING); a text statement, which says nothing about it, asks the cursor."""
    returning = Prepared(insert(things).values(id=bindparam("id")).returning(things.c.id, things.c.count))
    as_text = Prepared(text("SELECT id FROM prepared_things WHERE id = :id").bindparams(bindparam("id")))
    with engine.connect() as conn:
        assert INSERT.rows(conn, {"id": "plain", **EMPTY}) == []
        assert returning.rows(conn, {"id": "returned"}) == [("returned", None)]
        assert as_text.rows(conn, {"id": "returned"}) == [("returned",)]
        assert BY_ID.rows(conn, {"id": "plain"}) == [("plain", *EMPTY.values())]
        conn.rollback()


# ── PostgreSQL through libpq (ADR 0516) ─────────────────────────────────────────────────────


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    if not postgres_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true requires PostgreSQL on 127.0.0.1:5432")
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    yield from _with_tables(create_pg_database())


def _libpq_prepared(conn: Any) -> list[str]:
    """This connection's statements prepared through libpq (psycopg names its own _pg3_*)."""
    return [
        r[0]
        for r in conn.exec_driver_sql("SELECT name FROM pg_prepared_statements").fetchall()
        if r[0].startswith("keito_")
    ]


RETURNING_ID = Prepared(
    insert(things).values(id=bindparam("id"), doc=bindparam("doc", type_=JSONType)).returning(things.c.id)
)


def test_in_autocommit_a_statement_returning_text_runs_through_libpq_and_writes_what_core_writes(
    pg_engine: Engine,
) -> None:
    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(insert(things), {"id": "core", **ROW})
        INSERT.rows(conn, {"id": "libpq", **ROW})
        conn.execute(insert(things), {"id": "core other", **OTHER})
        INSERT.rows(conn, {"id": "libpq other", **OTHER})
        assert RETURNING_ID.rows(conn, {"id": "returned", "doc": None}) == [("returned",)]
        assert len(_libpq_prepared(conn)) == 2  # once per statement, reused from then on
        INSERT.rows(conn, {"id": "again", **EMPTY})
        assert len(_libpq_prepared(conn)) == 2
        stored = {r[0]: r[1:] for r in conn.exec_driver_sql("SELECT * FROM prepared_things").fetchall()}
    assert stored["libpq"] == stored["core"]
    assert stored["libpq other"] == stored["core other"]
    assert stored["again"] == (None,) * len(EMPTY)
    assert BY_ID.rows(pg_engine.connect(), {"id": "libpq"}) == [("libpq", *ROW.values())]
    assert BY_ID.rows(pg_engine.connect(), {"id": "libpq other"}) == [("libpq other", *OTHER.values())]


def test_outside_autocommit_statements_take_the_cursor_and_stay_in_the_transaction(pg_engine: Engine) -> None:
    """libpq would run the first statement outside the transaction psycopg opens first, and
    psycopg's ROLLBACK deallocates every prepared statement of the connection: a rollback must
    undo both inserts, and nothing is prepared through libpq."""
    from psycopg.pq import TransactionStatus

    with pg_engine.connect() as conn:
        INSERT.rows(conn, {"id": "undone", **ROW})
        assert conn.connection.driver_connection.info.transaction_status is TransactionStatus.INTRANS
        INSERT.rows(conn, {"id": "in the same transaction", **ROW})
        assert _libpq_prepared(conn) == []
        conn.rollback()
        assert conn.exec_driver_sql("SELECT count(*) FROM prepared_things").scalar() == 0


def test_a_statement_deallocated_behind_its_back_is_prepared_again(pg_engine: Engine) -> None:
    """psycopg sends DEALLOCATE ALL after a ROLLBACK when it has statements of its own prepared;
    a pooled connection then comes back to autocommit with ours gone."""
    with pg_engine.connect() as conn:
        for _ in range(6):  # past psycopg's prepare threshold (5): it prepares one of its own
            conn.exec_driver_sql("SELECT count(*) FROM prepared_things").scalar()
        conn.rollback()
        autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
        INSERT.rows(autocommit, {"id": "first", **EMPTY})
        assert len(_libpq_prepared(autocommit)) == 1
        autocommit.exec_driver_sql("SELECT 1").scalar()  # psycopg's own statement again
        autocommit.exec_driver_sql("DEALLOCATE ALL")  # as psycopg's ROLLBACK would
        assert _libpq_prepared(autocommit) == []
        INSERT.rows(autocommit, {"id": "second", **EMPTY})
        assert len(_libpq_prepared(autocommit)) == 1
        assert autocommit.exec_driver_sql("SELECT count(*) FROM prepared_things").scalar() == 2


def test_through_libpq_a_duplicate_key_is_an_integrity_error_and_a_lost_connection_is_invalidated(
    pg_engine: Engine,
) -> None:
    import psycopg

    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        INSERT.rows(conn, {"id": "one", **EMPTY})
        with pytest.raises(IntegrityError) as duplicate:
            INSERT.rows(conn, {"id": "one", **EMPTY})
        assert not duplicate.value.connection_invalidated
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(DBAPIError) as lost:
            INSERT.rows(conn, {"id": "lost", **EMPTY})
        assert lost.value.connection_invalidated and conn.invalidated
    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        INSERT.rows(conn, {"id": "after", **EMPTY})  # a new connection prepares it again
        assert [r[0] for r in BY_ID.rows(conn, {"id": "after"})] == ["after"]


def test_a_value_libpq_cannot_carry_goes_through_the_cursor_which_refuses_it(pg_engine: Engine) -> None:
    """libpq ends a text parameter at NUL: through it, 'a<NUL>b' would be stored as 'a'."""
    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        with pytest.raises(DBAPIError, match="NUL"):
            RETURNING_ID.rows(conn, {"id": "a\x00b", "doc": None})
        assert conn.exec_driver_sql("SELECT count(*) FROM prepared_things").scalar() == 0

"""Prepared statements: a Core statement compiled once per dialect and run straight on the
connection's DBAPI cursor, for the few statements on the busiest path (creating a time entry,
ADR 0508).

SQLAlchemy's ``Connection.execute`` spends more CPU per statement than the driver does: it looks
the statement up in its compiled cache by a generated cache key, builds an execution context,
processes each parameter through the compiled object and wraps the cursor in a result. Here the
SQL text, the parameter order and the type processors are worked out once (with SQLAlchemy's
own compiler and its own bind and result processors, so a value is written and read exactly
as ``Connection.execute`` would), and each run is one ``cursor.execute``.

On PostgreSQL a statement whose rows are text columns only (or that returns none) goes lower
still (ADR 0516): it is prepared once per connection with libpq's own PREPARE
(``pgconn.prepare``) and run with ``pgconn.exec_prepared``, its parameters written as text here
(``_texts``). psycopg's cursor spent more CPU per statement than everything else the lane did
with the database: converting the query, dumping each parameter, and a chain of generators
around the round trip. The call releases the GIL while it waits, as psycopg's own wait does.
It is taken only in autocommit, where psycopg would send nothing before the statement (outside
it psycopg sends BEGIN first, and its ROLLBACK is followed by DEALLOCATE ALL, which takes these
statements too), and only for values it knows how to write; anything else (a string with NUL,
which libpq would cut short, or another type) takes the cursor, which refuses or writes it as it
always has. A statement found gone (psycopg deallocated everything while the connection was in
a transaction, between two uses in autocommit) is prepared again and run once more.

What is kept from ``Connection.execute``: the statement runs on the connection (and in the
transaction) the caller already holds; a driver error comes back as SQLAlchemy's exception
for it (``IntegrityError``, ``OperationalError``, ...), and a lost connection is invalidated
with ``connection_invalidated`` set, as api/errors.py expects. What is not: engine events
(``before_cursor_execute``) do not fire, and statements with expanding or literal-execute
parameters are refused when prepared.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import psycopg
from psycopg.pq import ExecStatus
from psycopg.types.json import Jsonb
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.dml import UpdateBase

from keito_server.domain.metadata import json_text
from keito_server.domain.timestamps import date_text, datetime_text

_CURSOR = "keito_prepared_cursor"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # qmark/numeric dialects: the parameter names in order
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # names whose values need converting
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # result columns that need converting
    # A SELECT, or DML with RETURNING: known once here, where asking psycopg's cursor.description
    # builds a list of column objects on every run. None (other statements): ask the cursor.
    returns_rows: bool | None
    libpq: _Libpq | None = None  # PostgreSQL: the statement as libpq runs it, when it can (above)


@dataclass(frozen=True)
class _Libpq:
    name: bytes  # the prepared statement's name on each connection
    sql: bytes  # with $1, $2, ... placeholders
    order: tuple[str, ...]  # the parameter of each placeholder


class Prepared:
    """``statement`` (with named ``bindparam``s) compiled for each dialect it runs on."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}  # dialect name -> its compiled form

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement with ``params`` on ``conn``; its rows (none for a write)."""
        dialect = conn.dialect
        compiled = self._compiled.get(dialect.name) or self._compile(dialect)
        values = dict(params)
        for name, process in compiled.binds:
            values[name] = process(values[name])
        args: Any = values if compiled.positional is None else tuple(values[n] for n in compiled.positional)
        if not conn.in_transaction():
            conn.begin()  # as Connection.execute autobegins: the caller's commit or rollback ends it
        pooled = conn.connection
        dbapi_conn = pooled.dbapi_connection
        assert dbapi_conn is not None, "the connection was invalidated"
        if compiled.libpq is not None and dbapi_conn.autocommit:
            names = _libpq_names(pooled, dbapi_conn)
            texts = _texts(values, compiled.libpq.order) if names is not None else None
            if names is not None and texts is not None:
                return _run_libpq(conn, dbapi_conn, names, compiled.libpq, texts)
        # One cursor per DBAPI connection, reused: the pool's ``info`` lives as long as the
        # DBAPI connection does, and is emptied when it is invalidated.
        cursor = pooled.info.get(_CURSOR)
        if cursor is None:
            cursor = pooled.info[_CURSOR] = dbapi_conn.cursor()
        try:
            cursor.execute(compiled.sql, args)
            rows = cast(list[tuple[Any, ...]], cursor.fetchall()) if _has_rows(compiled, cursor) else []
        except dialect.loaded_dbapi.Error as exc:
            pooled.info.pop(_CURSOR, None)
            cursor.close()
            lost = dialect.is_disconnect(exc, dbapi_conn, cursor)
            if lost:
                conn.invalidate(exc)
            raise DBAPIError.instance(
                compiled.sql, args, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
            ) from exc
        if compiled.results:
            rows = [_converted(row, compiled.results) for row in rows]
        return rows

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled: Any = self.statement.compile(dialect=dialect)
        binds = []
        for bind, name in compiled.bind_names.items():
            if bind.expanding or bind.literal_execute or name != bind.key:
                raise ValueError(f"Prepared cannot run the parameter {bind.key!r} of this statement.")
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds.append((name, process))
        results = []
        for i, column in enumerate(getattr(self.statement, "selected_columns", ())):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                results.append((i, process))
        positional = tuple(compiled.positiontup) if compiled.positional else None
        returns_rows: bool | None = None
        if isinstance(self.statement, Select):
            returns_rows = True
        elif isinstance(self.statement, UpdateBase):
            returns_rows = bool(compiled.effective_returning)
        libpq = None
        if dialect.name == "postgresql" and not results and _text_columns_only(self.statement):
            libpq = _libpq_statement(compiled.string)
        made = _Compiled(compiled.string, positional, tuple(binds), tuple(results), returns_rows, libpq)
        self._compiled[dialect.name] = made
        return made


def _has_rows(compiled: _Compiled, cursor: Any) -> bool:
    return compiled.returns_rows if compiled.returns_rows is not None else cursor.description is not None


def _converted(row: tuple[Any, ...], results: tuple[tuple[int, Callable[[Any], Any]], ...]) -> tuple[Any, ...]:
    values = list(row)
    for i, process in results:
        values[i] = process(values[i])
    return tuple(values)


# ── PostgreSQL through libpq (ADR 0516) ──────────────────────────────────────────────────────

_LIBPQ_PREPARED = "keito_libpq_prepared"  # pooled.info: names prepared on that DBAPI connection
_UTF8 = "utf-8"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _text_columns_only(statement: ClauseElement) -> bool:
    """Whether every column the statement returns (if any) is read as a Python str."""
    for column in getattr(statement, "selected_columns", ()):
        try:
            if column.type.python_type is not str:
                return False
        except NotImplementedError:
            return False
    return True


def _libpq_statement(sql: str) -> _Libpq:
    """psycopg's ``%(name)s`` placeholders (and ``%%``) as libpq's ``$n`` (one per name)."""
    order: list[str] = []

    def numbered(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    text = _PLACEHOLDER.sub(numbered, sql)
    name = b"keito_" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20].encode()
    return _Libpq(name, text.encode(), tuple(order))


def _texts(values: Mapping[str, Any], order: tuple[str, ...]) -> list[bytes | None] | None:
    """Each parameter in PostgreSQL's text form (the statement's casts give the types), or None
    when one of them is not a value written here."""
    texts: list[bytes | None] = []
    try:
        for name in order:
            value = values[name]
            write = _TEXT.get(type(value))
            if write is None:
                return None
            texts.append(write(value))
    except _Unwritten:
        return None
    return texts


class _Unwritten(Exception):
    """A value of a known type that the cursor must write (or refuse) instead."""


def _str(value: str) -> bytes:
    if "\x00" in value:
        raise _Unwritten  # libpq would end the text there; psycopg refuses it with an error
    return value.encode()


def _datetime(value: datetime) -> bytes:
    if value.tzinfo is None:
        raise _Unwritten  # what a naive time means is psycopg's to decide, as it always was
    return datetime_text(value).encode()


_TEXT: dict[type, Callable[[Any], bytes | None]] = {
    type(None): lambda _: None,
    str: _str,
    bool: lambda v: b"t" if v else b"f",
    int: lambda v: str(v).encode(),
    Decimal: lambda v: str(v).encode(),
    date: lambda v: date_text(v).encode(),
    datetime: _datetime,
    Jsonb: lambda v: json_text(v.obj),
}


def _libpq_names(pooled: Any, dbapi_conn: Any) -> set[bytes] | None:
    """The statements prepared through libpq on this DBAPI connection (emptied with ``info``
    when the connection is invalidated); None when its client encoding is not UTF-8, the only
    one written and read here."""
    names: set[bytes] | None = pooled.info.get(_LIBPQ_PREPARED)
    if names is None and dbapi_conn.info.encoding == _UTF8:
        names = pooled.info[_LIBPQ_PREPARED] = set()
    return names


def _run_libpq(
    conn: Connection, dbapi_conn: Any, names: set[bytes], statement: _Libpq, texts: list[bytes | None]
) -> list[tuple[Any, ...]]:
    """In autocommit: nothing the statement did survives a failed run, so one that finds its
    prepared statement gone may prepare it and run again."""
    try:
        try:
            result = _prepare_and_run(dbapi_conn, names, statement, texts)
        except psycopg.errors.InvalidSqlStatementName:  # deallocated by psycopg (see above)
            names.clear()
            result = _prepare_and_run(dbapi_conn, names, statement, texts)
    except psycopg.Error as exc:
        error: Any = exc
        lost = conn.dialect.is_disconnect(error, dbapi_conn, None)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            statement.sql.decode(), texts, exc, psycopg.Error, connection_invalidated=lost, dialect=conn.dialect
        ) from exc
    return [
        tuple(None if (v := result.get_value(r, c)) is None else v.decode() for c in range(result.nfields))
        for r in range(result.ntuples)
    ]


def _prepare_and_run(dbapi_conn: Any, names: set[bytes], statement: _Libpq, texts: list[bytes | None]) -> Any:
    pgconn = dbapi_conn.pgconn
    if statement.name not in names:
        _check(pgconn.prepare(statement.name, statement.sql), dbapi_conn)
        names.add(statement.name)
    return _check(pgconn.exec_prepared(statement.name, texts), dbapi_conn)


def _check(result: Any, dbapi_conn: Any) -> Any:
    if result.status not in (ExecStatus.COMMAND_OK, ExecStatus.TUPLES_OK):
        raise psycopg.errors.error_from_result(result, encoding=dbapi_conn.info.encoding)
    return result

"""Prepared statements: a Core statement compiled once per dialect and run straight on the
connection's DBAPI cursor, for the few statements on the busiest path (creating a time entry,
ADR 0508).

SQLAlchemy's ``Connection.execute`` spends more CPU per statement than the driver does: it looks
the statement up in its compiled cache by a generated cache key, builds an execution context,
processes each parameter through the compiled object and wraps the cursor in a result. Here the
SQL text, the parameter order and the type processors are worked out once (with SQLAlchemy's
own compiler and its own bind and result processors, so a value is written and read exactly
as ``Connection.execute`` would), and each run is one ``cursor.execute``.

What is kept from ``Connection.execute``: the statement runs on the connection (and in the
transaction) the caller already holds; a driver error comes back as SQLAlchemy's exception
for it (``IntegrityError``, ``OperationalError``, ...), and a lost connection is invalidated
with ``connection_invalidated`` set, as api/errors.py expects. What is not: engine events
(``before_cursor_execute``) do not fire, and statements with expanding or literal-execute
parameters are refused when prepared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.dml import UpdateBase

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
        made = _Compiled(compiled.string, positional, tuple(binds), tuple(results), returns_rows)
        self._compiled[dialect.name] = made
        return made


def _has_rows(compiled: _Compiled, cursor: Any) -> bool:
    return compiled.returns_rows if compiled.returns_rows is not None else cursor.description is not None


def _converted(row: tuple[Any, ...], results: tuple[tuple[int, Callable[[Any], Any]], ...]) -> tuple[Any, ...]:
    values = list(row)
    for i, process in results:
        values[i] = process(values[i])
    return tuple(values)

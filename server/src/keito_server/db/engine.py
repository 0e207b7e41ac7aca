"""Engines and sessions. Built by ``create_app`` from Settings; nothing connects at import time.

SQLite: WAL, foreign keys on, a busy timeout, and writes begin with ``BEGIN IMMEDIATE`` so two
writers queue on the lock instead of failing on a lock upgrade. Reads use a plain deferred
``BEGIN`` on a second engine so they never wait for a writer.

SQLite has one writer at a time, and a connection that finds the lock taken sleeps in SQLite's
busy handler (1, 2, 5, 10 ... 100 ms) rather than being woken when it is free. With 32 threads
contending this turns into long sleeps and single-digit throughput, so write transactions
queue first on a Python lock within a process and on a ``flock`` across processes (both woken
at once); see docs/decisions/0501-sqlite-write-queue.md.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from keito_server.db import grouped
from keito_server.domain.metadata import json_text

try:
    import fcntl
except ImportError:  # pragma: no cover  (Windows)
    fcntl = None  # type: ignore[assignment]

SQLITE_BUSY_TIMEOUT_MS = 30_000
# No pre-ping on checkout (it costs a round trip per request); connections older than this are
# replaced instead, and a connection found dead mid-request invalidates the pool and answers
# 503 with Retry-After (api/errors.py), which the SDKs retry. See ADR 0504.
POOL_RECYCLE_SECONDS = 1800
# Connections kept open beyond the pool size when many requests need one at once. A connection
# past the pool size is closed when returned, and a new one costs a PostgreSQL backend start, so
# the server sizes its pools to its thread count (app.py): overflow is for rare peaks only.
MAX_OVERFLOW = 4


def _json_column_text(value: Any) -> str:
    """JSON columns (metadata, audit details) written by orjson, as responses are: the stdlib
    encoder was 3-4 % of a PostgreSQL create's GIL time (py-spy, docs/performance.md)."""
    return json_text(value).decode()


# What every engine here is made with.
_ENGINE_OPTIONS: dict[str, Any] = {"max_overflow": MAX_OVERFLOW, "json_serializer": _json_column_text}


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=pool_size,
        **_ENGINE_OPTIONS,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let us issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    if not immediate:

        @event.listens_for(engine, "begin")
        def _on_read_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine

    writer = _WriterLock(path)

    def _release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_WRITE_LOCK, False):
            writer.release()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Refused, not a hang, if some code path ever nests two write transactions in one
        # thread: it then falls back to SQLite's own busy handling.
        if writer.acquire():
            conn.info[_HOLDS_WRITE_LOCK] = True
        try:
            # On the driver, as COMMIT below: through exec_driver_sql this one statement cost
            # about as much CPU as the create's own inserts (ADR 0509).
            conn.connection.driver_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn.info)
            raise

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        # Commit here, on the driver, so the lock is released only once the data is durable;
        # SQLAlchemy's own commit() that follows is then a no-op (no transaction is open).
        try:
            conn.connection.driver_connection.execute("COMMIT")
        finally:
            _release(conn.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        _release(conn.info)

    @event.listens_for(engine, "reset")
    def _on_reset(_dbapi_conn: Any, record: Any, _state: Any = None) -> None:
        _release(record.info)

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_conn: Any, record: Any) -> None:
        _release(record.info)

    return engine


_HOLDS_WRITE_LOCK = "keito_holds_write_lock"


class _WriterLock:
    """SQLite's writers queue here before ``BEGIN IMMEDIATE``: threads of this process on a pipe
    that holds one byte while the lock is free, then processes on an exclusive ``flock`` of a
    file beside the database. Both wake the next writer the moment the holder releases, where
    SQLite's busy handler would sleep (up to 100 ms per try). Without ``fcntl`` (Windows) or a
    file (``:memory:``) only the pipe applies and processes fall back to the busy handler. The
    lock file stays open in this process once opened (``_fd``); only the flock on it comes and
    goes.

    The pipe (ADR 0501, amendment of 2026-12-03): ``os.read`` takes the byte and ``os.write``
    puts it back, and Python makes both system calls without the GIL; the kernel wakes one
    waiting reader per byte. A ``threading.Lock`` wakes the next writer while its releaser
    holds the GIL, and under load the releaser was often preempted by the thread it woke, with
    the worker's other threads waiting for the GIL meanwhile. A thread that already holds the
    lock and asks again (two write transactions nested in one thread) is refused at once and
    falls back to SQLite's own busy handling, as the old lock's timeout made it do."""

    def __init__(self, path: str) -> None:
        use_file = fcntl is not None and bool(path) and path != ":memory:"
        self._path = f"{path}-writer.lock" if use_file else None
        self._fd: int | None = None
        self._pid = 0  # the process that opened _fd: a forked child opens its own
        self._take, self._give = os.pipe()
        os.write(self._give, b"\0")  # free
        weakref.finalize(self, os.close, self._take)
        weakref.finalize(self, os.close, self._give)
        self._owner: int | None = None  # the thread holding the lock

    def acquire(self) -> bool:
        """Wait for the lock and take it; False, without waiting, if this thread holds it."""
        me = threading.get_ident()
        if self._owner == me:
            return False
        os.read(self._take, 1)  # blocks in the kernel, without the GIL
        self._owner = me
        if self._path is not None:
            try:
                if self._fd is None or self._pid != os.getpid():
                    self._fd, self._pid = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # blocks in the kernel, without the GIL
            except BaseException:
                self._free()
                raise
        return True

    def release(self) -> None:
        if self._owner is None:
            raise RuntimeError("release of a SQLite writer lock that is not held")
        try:
            if self._fd is not None and self._pid == os.getpid():
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._free()

    def _free(self) -> None:
        self._owner = None
        os.write(self._give, b"\0")  # wakes the next waiting writer, without the GIL


# ``Session.info`` key: the lane thread's held autocommit connection (``Database.lane_session``).
HELD_CONNECTION = "keito_held_connection"


class Database:
    """The one handle on the database that the app passes around."""

    def __init__(self, url: str, *, pool_size: int = 10, statement_pool_size: int = 4) -> None:
        """``pool_size``: connections kept open per pool; give at least the number of threads
        that may use the database at once, or connections are opened and closed per request.
        ``statement_pool_size``: the same for ``statement_connection`` on PostgreSQL, and for
        the connections the direct lane's threads hold (``lane_session``): give the lane's size."""
        self.url = url
        self.pool_size = pool_size
        self.statement_pool_size = statement_pool_size
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(url, immediate=True, pool_size=pool_size)
            self.read_engine = _sqlite_engine(url, immediate=False, pool_size=pool_size)
        else:
            self.write_engine = create_engine(
                url, pool_size=pool_size, pool_recycle=POOL_RECYCLE_SECONDS, **_ENGINE_OPTIONS
            )
            self.read_engine = self.write_engine
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        self._statement_engine: Engine | None = None
        self._held_engine: Engine | None = None
        self._held = threading.local()

    @contextmanager
    def statement_connection(self) -> Iterator[Connection]:
        """A Core connection for a write that is one statement (an idempotency claim or answer,
        a rate-limit claim), committed when the block ends. On PostgreSQL it runs in autocommit
        on a pool of its own (``statement_pool_size``; each use is one short statement): one
        round trip instead of BEGIN, statement, COMMIT. On SQLite, a normal write transaction."""
        if self.is_sqlite:
            with self.write_engine.begin() as conn:
                yield conn
            return
        if self._statement_engine is None:
            self._statement_engine = self._autocommit_engine()
        with self._statement_engine.connect() as conn:
            yield conn

    def _autocommit_engine(self) -> Engine:
        return create_engine(
            self.url,
            pool_size=self.statement_pool_size,
            pool_recycle=POOL_RECYCLE_SECONDS,
            **_ENGINE_OPTIONS,
            isolation_level="AUTOCOMMIT",
        )

    def lane_session(self) -> Session:
        """A write session for a thread of the direct lane (api/direct.py), which has a small,
        fixed set of threads, each holding a connection of its own from one request to the next
        instead of checking one out of the pool per request (ADR 0509). On PostgreSQL the held
        connection is in autocommit, and a time entry create runs its statements on it
        (``info[HELD_CONNECTION]``); the session's other work uses its pool as in
        ``session()``. On SQLite the whole session runs on the held connection, so its one
        write transaction (and the write lock) is the session's, begun and ended by it.

        The thread keeps the session too: end each use with ``end_lane_session``, which closes
        it only when the request left something in it. Making and closing an empty session cost
        6 % of the instructions a create ran (ADR 0518)."""
        held = self._held_write_connection() if self.is_sqlite else self._held_connection()
        # One per call of a group the thread serves (db/grouped.py): they share the connection.
        sessions: dict[int, Session] | None = getattr(self._held, "sessions", None)
        if sessions is None:
            sessions = self._held.sessions = {}
        slot = grouped.slot()
        session = sessions.get(slot)
        if session is None or (self.is_sqlite and session.bind is not held):
            session = sessions[slot] = self._write(bind=held) if self.is_sqlite else self._write()
        session.info.clear()  # nothing of the last request's (an auth cache note, say)
        if not self.is_sqlite:
            session.info[HELD_CONNECTION] = held
        return session

    def lane_connection(self) -> Connection | None:
        """On PostgreSQL, the autocommit connection this lane thread holds (the one its
        ``lane_session`` carries); None on SQLite, whose writes run in the session's transaction."""
        return None if self.is_sqlite else self._held_connection()

    @staticmethod
    def end_lane_session(session: Session) -> None:
        """The end of a request's use of a ``lane_session``: closed if it holds a transaction
        or objects, and so left as empty as a new one, for the thread's next request. (Pending
        changes begin a transaction: ``add``, ``delete`` and ``get`` all do.)"""
        if session.in_transaction() or session.identity_map:
            session.close()

    def _held_write_connection(self) -> Connection:
        conn: Connection | None = getattr(self._held, "conn", None)
        if conn is None or conn.closed:
            conn = self._held.conn = self.write_engine.connect()
        elif conn.in_transaction():
            conn.rollback()  # never carry a write transaction (and the write lock) over
        return conn

    def _held_connection(self) -> Connection:
        conn: Connection | None = getattr(self._held, "conn", None)
        if conn is None or conn.closed:
            if self._held_engine is None:
                # One connection per lane thread (statement_pool_size is the lane's size).
                self._held_engine = self._autocommit_engine()
            conn = self._held.conn = self._held_engine.connect()
        elif conn.invalidated:
            conn.rollback()  # a lost connection: it reconnects on its next statement
        # Its logical transaction stays begun from one request to the next: in autocommit
        # nothing is open on the server, and beginning and ending one per request cost CPU.
        return conn

    def session(self, *, write: bool = True) -> Session:
        return (self._write if write else self._read)()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write session committed on success, rolled back on any error."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        for engine in (self._statement_engine, self._held_engine):
            if engine is not None:
                engine.dispose()
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

"""Idempotency records: the first answer to a POST with an ``Idempotency-Key`` is kept for 24
hours and replayed to retries, in the database so every server process sees it.

Claim first, then work: a claim is an insert guarded by a unique key, so of two concurrent
requests with one key exactly one proceeds; the other sees the claim and is told to retry.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Integer, Table, Text, bindparam, column, delete, select, update, values
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from keito_server.db import grouped
from keito_server.db.engine import Database
from keito_server.db.models import IdempotencyRecord
from keito_server.db.prepared import Prepared

TTL = timedelta(hours=24)
# A claim with no answer after this long is taken to belong to a crashed request.
STALE_CLAIM = timedelta(seconds=60)


@dataclass(frozen=True)
class Claim:
    outcome: str  # "proceed" | "replay" | "mismatch" | "in_progress"
    record_id: int | None = None
    status_code: int | None = None
    body: str | None = None


def claim(db: Database, owner: str, key: str, request_hash: str, conn: Connection | None = None) -> Claim:
    """``conn``: a lane thread's held autocommit connection (PostgreSQL), on which the claim may
    be written together with the claims of the requests served with this one (ADR 0521)."""
    now = datetime.now(UTC)
    # The common case, a new key: one INSERT that does nothing if the key is taken.
    params = {"owner": owner, "key": key, "request_hash": request_hash, "created_at": now}
    if conn is not None:
        rows = grouped.submit(_CLAIMS, conn, params)
        record_id = rows[0][0] if rows else None
    else:
        with db.statement_connection() as own:
            record_id = own.execute(_CLAIM[db.is_sqlite], params).scalar()
    if record_id is not None:
        return Claim("proceed", record_id=int(record_id))
    return _claim_taken_key(db, owner, key, request_hash, now)


def _claim_taken_key(db: Database, owner: str, key: str, request_hash: str, now: datetime) -> Claim:
    """The key has a record: replay it, refuse, or take it over when it is stale."""
    with db.session() as s:
        existing = s.scalar(
            select(IdempotencyRecord).where(IdempotencyRecord.owner == owner, IdempotencyRecord.key == key)
        )
        if existing is not None and (
            existing.created_at < now - TTL
            or (existing.status_code is None and existing.created_at < now - STALE_CLAIM)
        ):
            s.delete(existing)
            s.commit()
            existing = None
        if existing is None:
            record = IdempotencyRecord(owner=owner, key=key, request_hash=request_hash, created_at=now)
            s.add(record)
            try:
                s.commit()
                return Claim("proceed", record_id=record.id)
            except IntegrityError:
                s.rollback()
                existing = s.scalar(
                    select(IdempotencyRecord).where(IdempotencyRecord.owner == owner, IdempotencyRecord.key == key)
                )
                if existing is None:  # released meanwhile; let the client retry
                    return Claim("in_progress")
        if existing.request_hash != request_hash:
            return Claim("mismatch")
        if existing.status_code is None:
            return Claim("in_progress")
        return Claim("replay", status_code=existing.status_code, body=existing.response_body)


def complete(db: Database, record_id: int, status_code: int, body: str, conn: Connection | None = None) -> None:
    """``conn``: as for ``claim``."""
    params = {"record_id": record_id, "status_code": status_code, "body": body}
    if conn is not None:
        grouped.submit(_COMPLETES, conn, params)
        return
    with db.statement_connection() as own:
        own.execute(_COMPLETE, params)


def _claim_statement(is_sqlite: bool) -> Any:
    insert = sqlite_insert if is_sqlite else pg_insert
    return (
        insert(IdempotencyRecord)
        .values(
            owner=bindparam("owner"),
            key=bindparam("key"),
            request_hash=bindparam("request_hash"),
            created_at=bindparam("created_at"),
        )
        .on_conflict_do_nothing(index_elements=["owner", "key"])
        .returning(IdempotencyRecord.id)
    )


# Built once per dialect, run with parameters (keyed by "is SQLite").
_CLAIM = {True: _claim_statement(True), False: _claim_statement(False)}
_COMPLETE = (
    update(IdempotencyRecord)
    .where(IdempotencyRecord.id == bindparam("record_id"))
    .values(status_code=bindparam("status_code"), response_body=bindparam("body"))
)


class _Claims:
    """Claims as a groupable write (db/grouped.py): several new keys in one ``INSERT ...
    VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING``, each request finding its own id by
    its owner and key (none: the key was taken)."""

    def one(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return _CLAIM_PREPARED.rows(conn, params)

    def many(self, conn: Connection, params: Sequence[dict[str, Any]]) -> list[list[tuple[Any, ...]]]:
        keys = [(p["owner"], p["key"]) for p in params]
        if len(set(keys)) < len(keys):  # one statement would give both the one new row
            raise _SameKeyTwice
        rows = _claims_statement(len(params)).rows(conn, grouped.numbered(params))
        ids = {(owner, key): record_id for record_id, owner, key in rows}
        return [[(ids[k],)] if k in ids else [] for k in keys]


class _SameKeyTwice(Exception):
    """Two requests of a group carry one key: their claims are written one by one instead."""


class _Completes:
    """Answers as a groupable write: ``UPDATE ... FROM (VALUES ...)``, one row per request."""

    def one(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return _COMPLETE_PREPARED.rows(conn, params)

    def many(self, conn: Connection, params: Sequence[dict[str, Any]]) -> list[list[tuple[Any, ...]]]:
        _completes_statement(len(params)).rows(conn, grouped.numbered(params))
        return [[] for _ in params]


@functools.cache
def _claims_statement(n: int) -> Prepared:
    rows = [
        {
            name: bindparam(f"{name}_{i}", type_=_RECORDS.c[name].type)
            for name in ("owner", "key", "request_hash", "created_at")
        }
        for i in range(n)
    ]
    return Prepared(
        pg_insert(IdempotencyRecord)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["owner", "key"])
        .returning(_RECORDS.c.id, _RECORDS.c.owner, _RECORDS.c.key)
    )


@functools.cache
def _completes_statement(n: int) -> Prepared:
    answers = values(
        column("record_id", Integer), column("status_code", Integer), column("body", Text), name="answers"
    ).data(
        [
            (
                bindparam(f"record_id_{i}", type_=Integer),
                bindparam(f"status_code_{i}", type_=Integer),
                bindparam(f"body_{i}", type_=Text),
            )
            for i in range(n)
        ]
    )
    return Prepared(
        update(_RECORDS)
        .where(_RECORDS.c.id == answers.c.record_id)
        .values(status_code=answers.c.status_code, response_body=answers.c.body)
    )


_RECORDS = cast(Table, IdempotencyRecord.__table__)
_CLAIM_PREPARED = Prepared(_CLAIM[False])  # PostgreSQL's, on a lane thread's connection
_COMPLETE_PREPARED = Prepared(_COMPLETE)
_CLAIMS = _Claims()
_COMPLETES = _Completes()


def release(db: Database, record_id: int) -> None:
    """Forget a claim whose request failed on our side, so a retry runs again."""
    with db.session() as s:
        s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
        s.commit()


def purge_expired(db: Database) -> int:
    with db.session() as s:
        n = s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < datetime.now(UTC) - TTL)).rowcount  # type: ignore[attr-defined]
        s.commit()
        return int(n or 0)

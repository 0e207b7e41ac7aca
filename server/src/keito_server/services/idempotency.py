"""Idempotency records: the first answer to a POST with an ``Idempotency-Key`` is kept for 24
hours and replayed to retries, in the database so every server process sees it.

Claim first, then work: a claim is an insert guarded by a unique key, so of two concurrent
requests with one key exactly one proceeds; the other sees the claim and is told to retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from keito_server.db.engine import Database
from keito_server.db.models import IdempotencyRecord

TTL = timedelta(hours=24)
# A claim with no answer after this long is taken to belong to a crashed request.
STALE_CLAIM = timedelta(seconds=60)


@dataclass(frozen=True)
class Claim:
    outcome: str  # "proceed" | "replay" | "mismatch" | "in_progress"
    record_id: int | None = None
    status_code: int | None = None
    body: str | None = None


def claim(db: Database, owner: str, key: str, request_hash: str) -> Claim:
    now = datetime.now(UTC)
    # The common case, a new key: one INSERT that does nothing if the key is taken.
    params = {"owner": owner, "key": key, "request_hash": request_hash, "created_at": now}
    with db.statement_connection() as conn:
        record_id = conn.execute(_CLAIM[db.is_sqlite], params).scalar()
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


def complete(db: Database, record_id: int, status_code: int, body: str) -> None:
    with db.statement_connection() as conn:
        conn.execute(_COMPLETE, {"record_id": record_id, "status_code": status_code, "body": body})


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

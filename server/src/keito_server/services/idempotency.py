"""Idempotency records: the first answer to a POST with an ``Idempotency-Key`` is kept for 24
hours and replayed to retries, in the database so every server process sees it.

Claim first, then work: a claim is an insert guarded by a unique key, so of two concurrent
requests with one key exactly one proceeds; the other sees the claim and is told to retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
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
    with db.session() as s:
        s.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == record_id)
            .values(status_code=status_code, response_body=body)
        )
        s.commit()


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

"""Requests per API key per minute, counted where every server process sees the same number:
Redis when ``KEITO_REDIS_URL`` is set, otherwise the database (one upsert per request)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from keito_server.db.engine import Database
from keito_server.db.models import RateLimitCounter

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds when the window ends
    retry_after: int


class RateLimiter:
    def __init__(self, db: Database, limit: int, redis_url: str | None = None) -> None:
        self.db = db
        self.limit = limit
        self._redis: Any = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)
        self._last_purge = 0.0
        self._upsert = _upsert_statement(db.is_sqlite)

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def hit(self, owner: str, now: float | None = None) -> Verdict:
        now = now or time.time()
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        count = self._incr_redis(owner, window) if self._redis is not None else self._incr_db(owner, window, now)
        reset = window + WINDOW_SECONDS
        allowed = count <= self.limit
        return Verdict(
            allowed=allowed,
            limit=self.limit,
            remaining=max(0, self.limit - count),
            reset=reset,
            retry_after=max(1, int(reset - now + 0.999)) if not allowed else 0,
        )

    def _incr_redis(self, owner: str, window: int) -> int:
        key = f"keito:rl:{owner}:{window}"
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS * 2)
        return int(pipe.execute()[0])

    def _incr_db(self, owner: str, window: int, now: float) -> int:
        # A counter lost in a crash only forgives a few requests, so its commit need not be durable.
        with self.db.counter_connection() as conn:
            count = int(conn.execute(self._upsert, {"owner": owner, "window": window}).scalar_one())
            if now - self._last_purge > WINDOW_SECONDS:
                self._last_purge = now
                conn.execute(delete(RateLimitCounter).where(RateLimitCounter.window_start < window - WINDOW_SECONDS))
        return count


def _upsert_statement(is_sqlite: bool) -> Any:
    """``count + 1`` for (owner, window), creating the row at 1; built once, run with parameters."""
    insert = sqlite_insert if is_sqlite else pg_insert
    return (
        insert(RateLimitCounter)
        .values(owner=bindparam("owner"), window_start=bindparam("window"), count=1)
        .on_conflict_do_update(index_elements=["owner", "window_start"], set_={"count": RateLimitCounter.count + 1})
        .returning(RateLimitCounter.count)
    )

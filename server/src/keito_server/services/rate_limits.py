"""Requests per API key per minute, counted where every server process sees the same number:
Redis when ``KEITO_REDIS_URL`` is set, otherwise the database (one upsert per claim; see
``RateLimiter``)."""

from __future__ import annotations

import threading
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


# A process may claim up to this share of a key's limit ahead of use (and never more than
# MAX_CLAIM), so a busy key costs one counter write per claim instead of one per request.
CLAIM_SHARE = 50  # at most limit // 50 tokens per claim
MAX_CLAIM = 256


@dataclass
class _Lease:
    """This process's claim on one key's allowance in one window."""

    window: int
    left: int = 0  # claimed and not yet used
    claimed: int = 0  # the shared count after this process's last claim
    used: int = 0  # requests this process admitted for the key in this window
    exhausted: bool = False  # the shared count reached the limit: nothing more this window


class RateLimiter:
    """Counts requests per key per minute in a store every process shares, without a write per
    request for a busy key: a process claims a few requests of the allowance at a time (one
    at a time at first, more as the key keeps it busy, at most ``limit // 50``) and admits
    from its claim in memory. The total admitted across processes never exceeds the limit; a
    process may refuse a few requests early while another still holds unused claims."""

    def __init__(self, db: Database, limit: int, redis_url: str | None = None) -> None:
        self.db = db
        self.limit = limit
        self._redis: Any = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)
        self._last_purge = 0.0
        self._upsert = _upsert_statement(db.is_sqlite)
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()
        self._max_claim = max(1, min(MAX_CLAIM, limit // CLAIM_SHARE))

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def local_hit(self, owner: str, now: float | None = None) -> Verdict | None:
        """Admit from this process's claim (or refuse once the window's allowance is gone),
        touching nothing shared (no I/O: safe on the event loop); None when there is no claim
        left, and ``hit`` must ask the store."""
        now = now or time.time()
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        with self._lock:
            lease = self._leases.get(owner)
            if lease is None or lease.window != window:
                return None
            if lease.exhausted:
                return self._verdict(False, lease, window, now)
            if lease.left <= 0:
                return None
            lease.left -= 1
            lease.used += 1
            return self._verdict(True, lease, window, now)

    def hit(self, owner: str, now: float | None = None) -> Verdict:
        now = now or time.time()
        local = self.local_hit(owner, now)
        if local is not None:
            return local
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        with self._lock:
            lease = self._leases.get(owner)
            used = lease.used if lease is not None and lease.window == window else 0
        size = min(self._max_claim, 1 + used // 4)
        if self._redis is not None:
            count = self._incr_redis(owner, window, size)
        else:
            count = self._incr_db(owner, window, now, size)
        granted = max(0, min(size, self.limit - (count - size)))
        with self._lock:
            lease = self._leases.get(owner)
            if lease is None or lease.window != window:
                if len(self._leases) > 10_000:
                    self._leases.clear()
                lease = self._leases[owner] = _Lease(window)
            lease.claimed = max(lease.claimed, count)
            # Nothing granted means the shared count is past the limit, and it only grows within a
            # window: once this process's claim is used up too, refuse here without the store.
            lease.exhausted = not granted and lease.left <= 0
            if granted:
                lease.left += granted - 1
                lease.used += 1
            return self._verdict(granted > 0, lease, window, now)

    def _verdict(self, allowed: bool, lease: _Lease, window: int, now: float) -> Verdict:
        reset = window + WINDOW_SECONDS
        return Verdict(
            allowed=allowed,
            limit=self.limit,
            remaining=max(0, self.limit - lease.claimed) + lease.left if allowed else 0,
            reset=reset,
            retry_after=max(1, int(reset - now + 0.999)) if not allowed else 0,
        )

    def _incr_redis(self, owner: str, window: int, size: int) -> int:
        key = f"keito:rl:{owner}:{window}"
        pipe = self._redis.pipeline()
        pipe.incrby(key, size)
        pipe.expire(key, WINDOW_SECONDS * 2)
        return int(pipe.execute()[0])

    def _incr_db(self, owner: str, window: int, now: float, size: int) -> int:
        with self.db.statement_connection() as conn:
            count = int(conn.execute(self._upsert, {"owner": owner, "window": window, "size": size}).scalar_one())
            if now - self._last_purge > WINDOW_SECONDS:
                self._last_purge = now
                conn.execute(delete(RateLimitCounter).where(RateLimitCounter.window_start < window - WINDOW_SECONDS))
        return count


def _upsert_statement(is_sqlite: bool) -> Any:
    """``count + size`` for (owner, window), creating the row at ``size``; built once, run with
    parameters."""
    insert = sqlite_insert if is_sqlite else pg_insert
    size: Any = bindparam("size")
    return (
        insert(RateLimitCounter)
        .values(owner=bindparam("owner"), window_start=bindparam("window"), count=size)
        .on_conflict_do_update(index_elements=["owner", "window_start"], set_={"count": RateLimitCounter.count + size})
        .returning(RateLimitCounter.count)
    )

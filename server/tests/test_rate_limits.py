"""Rate limits per API key (decisions §6), on a dedicated server with a small limit: in the
database by default, and in Redis when ``KEITO_REDIS_URL`` is set."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from keito_server.services.rate_limits import RateLimiter

from tests.support.live import LiveServer, Workspace, make_workspace, wait_for_fresh_window

LIMIT = 5
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def limited(request: pytest.FixtureRequest, server: LiveServer) -> Iterator[LiveServer]:
    env = {"KEITO_RATE_LIMIT_PER_MINUTE": str(LIMIT)}
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        env["KEITO_REDIS_URL"] = REDIS_URL
    live = LiveServer(backend=server.backend, env_extra=env).start()
    yield live
    live.cleanup()


def _get(live: LiveServer, ws: Workspace, key: str, prefix: str = "/api/v2/time_entries") -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", "Keito-Account-Id": ws.account_id}
    return httpx.get(live.url + prefix, headers=headers, timeout=30)


def test_limit_answers_429_with_headers(limited: LiveServer) -> None:
    ws = make_workspace(limited)
    wait_for_fresh_window()
    answers = [_get(limited, ws, ws.admin_key) for _ in range(LIMIT + 1)]
    assert [r.status_code for r in answers] == [200] * LIMIT + [429]
    remaining = [int(r.headers["X-RateLimit-Remaining"]) for r in answers]
    assert remaining == [LIMIT - 1 - i for i in range(LIMIT)] + [0]
    for r in answers:
        assert r.headers["X-RateLimit-Limit"] == str(LIMIT)
        assert int(r.headers["X-RateLimit-Reset"]) > 1_700_000_000  # epoch seconds
    blocked = answers[-1]
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    body = blocked.json()
    assert body["code"] == "rate_limited"
    assert body["error"] == "rate limited"
    v1 = _get(limited, ws, ws.admin_key, "/v1/time-entries")
    assert v1.status_code == 429
    assert v1.json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in v1.headers


def test_limit_is_per_key_not_per_workspace(limited: LiveServer) -> None:
    ws = make_workspace(limited)
    _, second_key = ws.add_user("Second key holder")
    wait_for_fresh_window()
    for _ in range(LIMIT):
        assert _get(limited, ws, ws.admin_key).status_code == 200
    assert _get(limited, ws, ws.admin_key).status_code == 429
    # Another key in the same workspace has its own allowance.
    other = _get(limited, ws, second_key)
    assert other.status_code == 200
    assert other.headers["X-RateLimit-Remaining"] == str(LIMIT - 1)


def test_blocked_write_writes_nothing(limited: LiveServer) -> None:
    ws = make_workspace(limited)
    wait_for_fresh_window()
    headers = {"Authorization": f"Bearer {ws.admin_key}", "Keito-Account-Id": ws.account_id}
    body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": "2026-03-06", "hours": 1}
    answers = [httpx.post(limited.url + "/api/v2/time_entries", json=body, headers=headers) for _ in range(LIMIT + 2)]
    assert [r.status_code for r in answers] == [201] * LIMIT + [429, 429]
    assert ws.run(_count_entries) == LIMIT


def _count_entries(session: Any, actor: Any) -> int:
    from keito_server.db.models import TimeEntry
    from sqlalchemy import func, select

    return int(
        session.scalar(select(func.count()).select_from(TimeEntry).where(TimeEntry.account_id == actor.account_id))
    )


class _CountingLimiter(RateLimiter):
    """A real limiter on the real database that also counts its writes to the shared counter."""

    writes = 0

    def _incr_db(self, owner: str, window: int, now: float, size: int) -> int:
        self.writes += 1
        return super()._incr_db(owner, window, now, size)


def test_two_processes_claiming_ahead_never_admit_more_than_the_limit(server: LiveServer) -> None:
    """A busy key claims several requests per counter write; two limiters (two processes) on
    one database still admit at most the limit in a window, and at most one claim less."""
    limit = 1000
    db = server.database()
    try:
        first, second = _CountingLimiter(db, limit), _CountingLimiter(db, limit)
        owner = f"claims-{uuid.uuid4().hex}"
        window_start = (time.time() // 60) * 60
        now = window_start + 1  # one window for the whole test, whatever the clock does meanwhile
        verdicts = [(first, second)[i % 2].hit(owner, now) for i in range(1500)]
        admitted = sum(v.allowed for v in verdicts)
        assert limit - limit // 50 <= admitted <= limit
        assert first.writes + second.writes < 300  # against 1,500 requests
        assert verdicts[0].remaining == limit - 1
        assert not verdicts[-1].allowed and verdicts[-1].remaining == 0
    finally:
        db.dispose()

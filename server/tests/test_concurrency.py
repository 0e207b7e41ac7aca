"""Correctness across server processes (decisions §3 and §6): two ``keito-server serve``
processes on one database, and one server with ``--workers 2``.

The rules under test are enforced by the database (a partial unique index for the running
timer, a unique claim for idempotency keys, a shared counter for rate limits), so they must
hold no matter which process answers.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx
import pytest

from tests.support.live import LiveServer, Workspace, make_workspace, wait_for_fresh_window

pytestmark = pytest.mark.multiprocess

PARALLEL = 20


@pytest.fixture
def pair(server: LiveServer) -> Iterator[tuple[LiveServer, LiveServer]]:
    """The session's server plus a second process on the same database."""
    second = LiveServer(
        backend=server.backend,
        database_url=server.database_url,
        owns_database=False,
        env_extra={"KEITO_SECRET_KEY": "shared-test-secret"},
    ).start()
    yield server, second
    second.cleanup()


def _start_body(ws: Workspace) -> dict[str, object]:
    return {
        "project_id": ws.project_id,
        "task_id": ws.task_id,
        "spent_date": date.today().isoformat(),
        "is_running": True,
    }


def _fire(urls: list[str], headers: dict[str, str], body: dict[str, object], n: int) -> list[httpx.Response]:
    """n POSTs at once, spread round-robin over the servers."""

    def one(i: int) -> httpx.Response:
        with httpx.Client(timeout=60) as c:
            return c.post(f"{urls[i % len(urls)]}/api/v2/time_entries", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def _headers(ws: Workspace, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Keito-Account-Id": ws.account_id}


def _assert_one_timer(ws: Workspace, key: str, responses: list[httpx.Response]) -> None:
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: PARALLEL - 1}, [(r.status_code, r.text[:200]) for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "timer_already_running"
    running = ws.api(key).get("time_entries", params={"is_running": "true"})
    assert running.status_code == 200, running.text
    assert running.json()["total_entries"] == 1
    # A start refused by the unique index left no row behind, running or not.
    assert ws.run(_entries) == 1


def _entries(session: Any, actor: Any) -> int:
    from keito_server.db.models import TimeEntry
    from sqlalchemy import func, select

    return int(session.scalar(select(func.count()).where(TimeEntry.account_id == actor.account_id)))


def test_parallel_timer_starts_over_two_processes(pair: tuple[LiveServer, LiveServer]) -> None:
    first, second = pair
    ws = make_workspace(first)
    _, key = ws.add_user("Racer")
    responses = _fire([first.url, second.url], _headers(ws, key), _start_body(ws), PARALLEL)
    _assert_one_timer(ws, key, responses)


def test_idempotent_retry_from_both_processes_makes_one_row(pair: tuple[LiveServer, LiveServer]) -> None:
    first, second = pair
    ws = make_workspace(first)
    _, key = ws.add_user("Retrier")
    headers = _headers(ws, key) | {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    body = {**_start_body(ws), "is_running": False, "hours": 1.25, "notes": "once"}
    responses = _fire([first.url, second.url], headers, body, 10)
    statuses = Counter(r.status_code for r in responses)
    # The first claim wins; concurrent retries see it in progress (409, retry) or replay it.
    assert set(statuses) <= {201, 409}, [(r.status_code, r.text[:200]) for r in responses]
    created_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created_ids) == 1
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_in_progress"
            assert r.headers["Retry-After"] == "1"
    # A later retry through the other process replays the same answer.
    with httpx.Client(timeout=30) as c:
        again = c.post(f"{second.url}/api/v2/time_entries", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] in created_ids
    assert again.headers.get("Idempotent-Replayed") == "true"
    entries = ws.api(key).get("time_entries").json()["time_entries"]
    assert [e["id"] for e in entries] == list(created_ids)


def test_rate_limit_is_shared_by_two_processes(server: LiveServer) -> None:
    limit = 6
    env = {"KEITO_RATE_LIMIT_PER_MINUTE": str(limit), "KEITO_SECRET_KEY": "shared-test-secret"}
    first = LiveServer(backend=server.backend, env_extra=env).start()
    second = LiveServer(
        backend=server.backend, database_url=first.database_url, owns_database=False, env_extra=env
    ).start()
    try:
        ws = make_workspace(first)
        wait_for_fresh_window()
        statuses = []
        for i in range(limit + 4):
            target = (first, second)[i % 2]
            r = httpx.get(f"{target.url}/api/v2/time_entries", headers=_headers(ws, ws.admin_key), timeout=30)
            statuses.append(r.status_code)
        assert statuses.count(429) == 4, statuses
        assert 429 not in statuses[:limit], statuses
    finally:
        second.cleanup()
        first.cleanup()


def test_two_workers_one_running_timer(server: LiveServer) -> None:
    multi = LiveServer(backend=server.backend, workers=2).start()
    try:
        ws = make_workspace(multi)
        _, key = ws.add_user("Worker racer")
        responses = _fire([multi.url], _headers(ws, key), _start_body(ws), PARALLEL)
        _assert_one_timer(ws, key, responses)
    finally:
        multi.cleanup()

"""A PostgreSQL restart under a running server (ADR 0504).

The pools do not ping a connection before each request (that costs a round trip per request);
instead a request that finds its pooled connection dead answers 503 ``service_unavailable``
with ``Retry-After``, the pool is renewed, and the next request works. The SDK retries 503s,
so its caller sees no error at all. Neither ever sees a 500.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from keito import Keito

from tests.support.live import PG_ADMIN_URL, LiveServer, Workspace, make_workspace, postgres_available

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def pg_ws() -> Iterator[Workspace]:
    """A server of its own on a database of its own: the test cuts every connection to it."""
    if not postgres_available():
        if IN_CI:
            pytest.fail("CI=true requires PostgreSQL on 127.0.0.1:5432, and none answered")
        pytest.skip("no PostgreSQL on 127.0.0.1:5432; SQLite has no server connection to lose")
    live = LiveServer(backend="postgres").start()
    try:
        yield make_workspace(live)
    finally:
        live.cleanup()


def _cut_connections(ws: Workspace) -> int:
    """Terminate every PostgreSQL backend connected to the server's database, as a restart would."""
    import psycopg

    name = ws.server.database_url.rsplit("/", 1)[-1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


def _me(ws: Workspace) -> httpx.Response:
    headers = {"Authorization": f"Bearer {ws.admin_key}", "Keito-Account-Id": ws.account_id}
    return httpx.get(f"{ws.server.url}/api/v2/users/me", headers=headers, timeout=30)


def test_lost_connections_answer_503_then_recover(pg_ws: Workspace) -> None:
    assert _me(pg_ws).status_code == 200  # both pools now hold a live connection
    assert _cut_connections(pg_ws) >= 1

    answers = [_me(pg_ws) for _ in range(4)]
    statuses = [r.status_code for r in answers]
    # The first request meets a dead connection (no pre-ping), later ones a renewed pool.
    assert statuses[0] == 503 and set(statuses) <= {200, 503} and statuses[-1] == 200, statuses
    for r in answers:
        if r.status_code == 503:
            assert r.headers["retry-after"] == "1"
            assert r.json()["code"] == "service_unavailable", r.json()


def test_the_sdk_retries_through_a_lost_connection(pg_ws: Workspace) -> None:
    with Keito(api_key=pg_ws.admin_key, account_id=pg_ws.account_id, base_url=pg_ws.server.url) as client:
        assert client.users.me().id == pg_ws.admin_id
        assert _cut_connections(pg_ws) >= 1
        assert client.users.me().id == pg_ws.admin_id
        created = client.clients.create(name="After the restart")
        assert client.clients.get(created.id).name == "After the restart"


def test_creates_on_the_direct_lane_answer_503_then_recover_and_write_only_what_they_said(pg_ws: Workspace) -> None:
    """The lane's threads each hold a connection across requests (ADR 0509): one found dead is
    a 503 and is renewed, the same as a pooled one, and a 503 wrote nothing."""
    api = pg_ws.api(pg_ws.admin_key)
    body = {"project_id": pg_ws.project_id, "task_id": pg_ws.task_id, "spent_date": "2026-03-02", "hours": 1}
    warm = [api.post("/api/v2/time_entries", body).status_code for _ in range(12)]  # every lane thread
    assert warm == [201] * 12
    assert _cut_connections(pg_ws) >= 1

    answers = [api.post("/api/v2/time_entries", body) for _ in range(16)]
    statuses = [r.status_code for r in answers]
    assert 503 in statuses and set(statuses) <= {201, 503} and statuses[-4:] == [201] * 4, statuses
    assert all(r.headers["retry-after"] == "1" for r in answers if r.status_code == 503)
    listed = api.get("/api/v2/time_entries", params={"from": "2026-03-02", "to": "2026-03-02", "per_page": 100})
    assert listed.json()["total_entries"] == 12 + statuses.count(201)

"""Request limits and bad bodies: over 1 MB is a 413 in the caller's dialect (with or without
Content-Length), malformed JSON is a 400 ``invalid_json``, and nothing is written. Also the
test-only fault switch (``Keito-Test-Fault``), which must be off unless enabled."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.live import LiveServer, Workspace, make_workspace

OVER_LIMIT = 1_000_001


def _headers(ws: Workspace) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {ws.admin_key}",
        "Keito-Account-Id": ws.account_id,
        "Content-Type": "application/json",
    }


def _big_body(ws: Workspace) -> bytes:
    notes = "x" * OVER_LIMIT
    return (
        f'{{"project_id": "{ws.project_id}", "task_id": "{ws.task_id}", '
        f'"spent_date": "2026-03-06", "hours": 1, "notes": "{notes}"}}'
    ).encode()


def _count(ws: Workspace) -> int:
    return int(ws.api().get("time_entries").json()["total_entries"])


def _chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_1mb_is_413_in_both_dialects(ws: Workspace, chunked: bool) -> None:
    data = _big_body(ws)
    for path, dialect in (("/api/v2/time_entries", "v2"), ("/v1/time-entries", "v1")):
        content: bytes | Iterator[bytes] = _chunks(data) if chunked else data
        r = httpx.post(ws.server.url + path, content=content, headers=_headers(ws), timeout=30)
        assert r.status_code == 413, r.text[:300]
        if chunked:
            assert r.request.headers.get("transfer-encoding") == "chunked"
        body = r.json()
        if dialect == "v2":
            assert body["code"] == "payload_too_large"
            assert body["error"] == "request entity too large" or body["error"].startswith("content too large")
            assert "1000000 bytes" in body["error_description"]
        else:
            assert body["error"]["code"] == "payload_too_large"
    assert _count(ws) == 0


def test_malformed_json_is_400_invalid_json(ws: Workspace) -> None:
    for path, dialect in (("/api/v2/time_entries", "v2"), ("/v1/time-entries", "v1")):
        r = httpx.post(ws.server.url + path, content=b'{"project_id": ', headers=_headers(ws), timeout=30)
        assert r.status_code == 400, r.text
        code = r.json()["code"] if dialect == "v2" else r.json()["error"]["code"]
        assert code == "invalid_json"
    assert _count(ws) == 0


def test_fault_injection_answers_then_recovers(ws: Workspace) -> None:
    key = uuid.uuid4().hex
    fault = {"Keito-Test-Fault": f"503;count=2;key={key};retry_after=0"}
    api = ws.api()
    first = api.get("time_entries", headers=fault)
    second = api.get("time_entries", headers=fault)
    third = api.get("time_entries", headers=fault)
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.headers["Retry-After"] == "0"
    assert first.json()["code"] == "service_unavailable"
    limited = api.get("time_entries", headers={"Keito-Test-Fault": f"429;count=1;key={key}-429;retry_after=2"})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"


@pytest.fixture
def plain_server(server: LiveServer) -> Iterator[LiveServer]:
    """A server started as in production: no fault switch."""
    live = LiveServer(backend=server.backend, env_extra={"KEITO_ENABLE_FAULT_INJECTION": ""}).start()
    yield live
    live.cleanup()


def test_fault_injection_is_off_by_default(plain_server: LiveServer) -> None:
    ws = make_workspace(plain_server)
    r = ws.api().get("time_entries", headers={"Keito-Test-Fault": "503;count=5;key=off"})
    assert r.status_code == 200

"""Each error class raised from a real server answer, and retries against real 429/503 answers."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from keito import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncKeito,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    Keito,
    KeitoError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from keito._core import retry_delay, should_retry

from tests.support.live import Workspace, free_port, today


def fault(status: int, count: int) -> dict[str, str]:
    return {"Keito-Test-Fault": f"{status};count={count};key={uuid.uuid4()};retry_after=0"}


def make(ws: Workspace, **kw: object) -> Keito:
    args: dict[str, object] = {"api_key": ws.admin_key, "account_id": ws.account_id, "base_url": ws.server.url}
    args.update(kw)
    return Keito(**args)  # type: ignore[arg-type]


def test_error_tree_from_real_answers(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEITO_ACCOUNT_ID", raising=False)
    monkeypatch.delenv("KEITO_WORKSPACE_ID", raising=False)
    with pytest.raises(BadRequestError) as bad:
        make(ws, account_id="").time_entries.list().to_list()
    assert bad.value.status == 400 and "Keito-Account-Id" in bad.value.message
    with pytest.raises(AuthenticationError) as auth:
        make(ws, api_key="kto_wrong").time_entries.list().to_list()
    assert auth.value.code == "authentication_error"
    _, member_key = ws.add_user("Outsider", assign=False)
    with pytest.raises(PermissionDeniedError) as denied:
        make(ws, api_key=member_key).time_entries.create(
            project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=1
        )
    assert denied.value.status == 403 and denied.value.code
    client = make(ws)
    with pytest.raises(NotFoundError):
        client.time_entries.get("te_missing")
    entry = client.time_entries.start_timer(project_id=ws.project_id, task_id=ws.task_id)
    with pytest.raises(ConflictError) as conflict:
        client.time_entries.start_timer(project_id=ws.project_id, task_id=ws.task_id)
    assert conflict.value.code == "timer_already_running"
    client.time_entries.stop(entry.id)
    with pytest.raises(BadRequestError) as malformed:
        client.time_entries.create(project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=30)
    assert malformed.value.code == "validation_error" and malformed.value.body["error_description"]
    key = {"idempotency_key": str(uuid.uuid4())}
    client.time_entries.create(
        project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=1, request_options=key
    )
    with pytest.raises(UnprocessableEntityError) as invalid:
        client.time_entries.create(
            project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=2, request_options=key
        )
    assert invalid.value.status == 422 and invalid.value.code == "idempotency_key_reused"
    with pytest.raises(RateLimitError) as limited:
        client.time_entries.list(request_options={"max_retries": 0, "headers": fault(429, 1)}).to_list()
    assert limited.value.retry_after == 0 and limited.value.code == "rate_limited"
    with pytest.raises(InternalServerError) as down:
        client.time_entries.get(entry.id, request_options={"max_retries": 0, "headers": fault(503, 1)})
    assert down.value.status == 503
    for err in (bad, auth, denied, conflict, malformed, invalid, limited, down):
        assert isinstance(err.value, APIError) and isinstance(err.value, KeitoError)


def test_connection_and_timeout_errors(ws: Workspace) -> None:
    dead = Keito(api_key="k", account_id="a", base_url=f"http://127.0.0.1:{free_port()}", max_retries=1)
    dead._sleep = lambda s: None  # the retry decision is under test, not the wait
    with pytest.raises(APIConnectionError):
        dead.time_entries.list().to_list()
    with pytest.raises(APITimeoutError):
        make(ws, timeout=0.000001, max_retries=0).time_entries.list().to_list()


@pytest.mark.parametrize("status", [429, 503])
def test_retries_real_faults(ws: Workspace, status: int) -> None:
    client = make(ws)
    entries = client.time_entries.list(request_options={"headers": fault(status, 2)}).to_list()
    assert entries == []  # two faults, then the real answer: within the default max_retries=2
    with pytest.raises(APIError) as err:
        client.time_entries.list(request_options={"headers": fault(status, 3)}).to_list()
    assert err.value.status == status


def test_post_retry_reuses_one_idempotency_key(ws: Workspace) -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    client = make(ws, httpx_client=http)
    entry = client.time_entries.create(
        project_id=ws.project_id,
        task_id=ws.task_id,
        spent_date=today(),
        hours=1,
        request_options={"headers": fault(503, 2)},
    )
    keys = {r.headers["Idempotency-Key"] for r in sent}
    assert len(sent) == 3 and len(keys) == 1
    rows = client.time_entries.list().to_list()
    assert [e.id for e in rows] == [entry.id]
    # Replaying the same key (as a retry after a lost answer would) returns the same row.
    again = client.time_entries.create(
        project_id=ws.project_id,
        task_id=ws.task_id,
        spent_date=today(),
        hours=1,
        request_options={"idempotency_key": keys.pop()},
    )
    assert again.id == entry.id and len(client.time_entries.list().to_list()) == 1
    with pytest.raises(UnprocessableEntityError) as reused:
        client.time_entries.create(
            project_id=ws.project_id,
            task_id=ws.task_id,
            spent_date=today(),
            hours=2,
            request_options={"idempotency_key": sent[0].headers["Idempotency-Key"]},
        )
    assert reused.value.code == "idempotency_key_reused"
    http.close()


def test_async_retries_and_errors(ws: Workspace) -> None:
    async def scenario() -> None:
        async with AsyncKeito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
            e = await c.time_entries.create(
                project_id=ws.project_id,
                task_id=ws.task_id,
                spent_date=today(),
                hours=1,
                request_options={"headers": fault(429, 2)},
            )
            assert [x.id async for x in c.time_entries.list()] == [e.id]
            with pytest.raises(InternalServerError):
                await c.time_entries.get(e.id, request_options={"max_retries": 0, "headers": fault(503, 1)})

    asyncio.run(scenario())


def test_retry_decisions() -> None:
    assert should_retry(503, 0, 2) and should_retry(None, 1, 2) and should_retry(408, 0, 1)
    assert not should_retry(503, 2, 2) and not should_retry(409, 0, 2) and not should_retry(400, 0, 2)
    assert retry_delay(0, {"Retry-After": "3"}) == 3
    assert 0.5 <= retry_delay(0) <= 0.5 * 1.25
    assert 8 <= retry_delay(10) <= 10

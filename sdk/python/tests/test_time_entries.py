"""Every time-entry method, sync and async, against the real server."""

from __future__ import annotations

import asyncio

import pytest
from keito import NOT_GIVEN, AsyncKeito, ConflictError, Keito, NotFoundError
from keito.types import TimeEntry

from tests.support.live import Workspace, today


def test_create_get_update_delete_sync(client: Keito, ws: Workspace) -> None:
    entry = client.time_entries.create(
        project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=1.5, notes="first", metadata={"a": 1}
    )
    assert isinstance(entry, TimeEntry) and entry.hours == 1.5 and entry.metadata == {"a": 1}
    assert entry.source == "api"
    got = client.time_entries.get(entry.id)
    assert got.id == entry.id and got.notes == "first"
    # NOT_GIVEN leaves a field alone; None clears it.
    updated = client.time_entries.update(entry.id, notes="second", metadata=NOT_GIVEN)
    assert updated.notes == "second" and updated.metadata == {"a": 1}
    cleared = client.time_entries.update(entry.id, metadata=None)
    assert cleared.metadata is None and cleared.notes == "second"
    client.time_entries.delete(entry.id)
    with pytest.raises(NotFoundError) as err:
        client.time_entries.get(entry.id)
    assert err.value.status == 404 and err.value.code == "not_found"


def test_timer_start_stop_restart_sync(client: Keito, ws: Workspace) -> None:
    entry = client.time_entries.start_timer(project_id=ws.project_id, task_id=ws.task_id, notes="timer")
    assert entry.is_running
    with pytest.raises(ConflictError) as err:
        client.time_entries.start_timer(project_id=ws.project_id, task_id=ws.task_id)
    assert err.value.code == "timer_already_running"
    running = list(client.time_entries.list(is_running=True))
    assert [e.id for e in running] == [entry.id]
    stopped = client.time_entries.stop(entry.id, notes="done")
    assert not stopped.is_running and stopped.notes == "done"
    with pytest.raises(ConflictError) as err:
        client.time_entries.stop(entry.id)
    assert err.value.code == "timer_not_running"
    restarted = client.time_entries.restart(entry.id)
    assert restarted.is_running
    client.time_entries.stop(entry.id)


def test_list_filters_by_session_and_source(client: Keito, ws: Workspace) -> None:
    for sid in ("s-1", "s-1", "s-2"):
        client.time_entries.create(
            project_id=ws.project_id,
            task_id=ws.task_id,
            spent_date=today(),
            hours=0.25,
            source="agent",
            metadata={"session_id": sid},
        )
    client.time_entries.create(project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=1)
    assert len(list(client.time_entries.list(session_id="s-1"))) == 2
    assert len(list(client.time_entries.list(source="agent"))) == 3
    assert len(list(client.time_entries.list(from_date=today(), to_date=today()))) == 4


def test_every_method_async(ws: Workspace) -> None:
    async def scenario() -> None:
        async with AsyncKeito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
            e = await c.time_entries.create(project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=2)
            assert (await c.time_entries.get(e.id)).hours == 2
            assert (await c.time_entries.update(e.id, notes="async")).notes == "async"
            ids = [x.id async for x in c.time_entries.list()]
            assert ids == [e.id]
            await c.time_entries.delete(e.id)
            with pytest.raises(NotFoundError):
                await c.time_entries.get(e.id)
            t = await c.time_entries.start_timer(project_id=ws.project_id, task_id=ws.task_id)
            assert t.is_running
            with pytest.raises(ConflictError):
                await c.time_entries.start_timer(project_id=ws.project_id, task_id=ws.task_id)
            assert not (await c.time_entries.stop(t.id)).is_running
            assert (await c.time_entries.restart(t.id)).is_running
            replaced = await c.time_entries.start_timer(
                project_id=ws.project_id, task_id=ws.task_id, replace_running=True
            )
            assert replaced.is_running and not (await c.time_entries.get(t.id)).is_running

    asyncio.run(scenario())


def test_raw_response(client: Keito, ws: Workspace) -> None:
    raw = client.with_raw_response.time_entries.create(
        project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=1
    )
    assert raw.status_code == 201
    assert raw.headers["x-keito-api-version"] == "2"
    assert isinstance(raw.parsed, TimeEntry) and raw.body["id"] == raw.parsed.id
    # the plain client is untouched
    assert isinstance(client.time_entries.get(raw.parsed.id), TimeEntry)


def test_environment_fallbacks(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEITO_API_KEY", ws.admin_key)
    monkeypatch.setenv("KEITO_ACCOUNT_ID", ws.account_id)
    monkeypatch.delenv("KEITO_API_URL", raising=False)
    monkeypatch.setenv("KEITO_BASE_URL", ws.server.url)
    with Keito() as c:
        assert c.base_url == ws.server.url
        assert list(c.time_entries.list()) == []
    monkeypatch.delenv("KEITO_BASE_URL")
    assert Keito().base_url == "http://localhost:8000"


def test_raw_response_and_request_async(ws: Workspace) -> None:
    async def scenario() -> None:
        async with AsyncKeito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
            raw = await c.with_raw_response.time_entries.create(
                project_id=ws.project_id, task_id=ws.task_id, spent_date=today(), hours=1
            )
            assert raw.status_code == 201 and isinstance(raw.parsed, TimeEntry)
            body = await c.request("GET", f"/time_entries/{raw.parsed.id}")
            assert body["id"] == raw.parsed.id and body["hours"] == 1

    asyncio.run(scenario())
    with Keito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
        assert c.request("GET", "/users/me")["id"] == ws.admin_id
        with pytest.raises(NotFoundError):
            c.request("GET", "/time_entries/te_nope")

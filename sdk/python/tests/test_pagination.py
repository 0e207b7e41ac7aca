"""Lists walk every page lazily, sync and async."""

from __future__ import annotations

import asyncio
import datetime as dt

from keito import AsyncKeito, Keito

from tests.support.live import Workspace

START = dt.date.today() - dt.timedelta(days=300)
COUNT = 260


def _seed(ws: Workspace) -> None:
    from keito_server.services import time_entries as svc

    def add(session: object, actor: object) -> None:
        for i in range(COUNT):
            day = START + dt.timedelta(days=i)
            svc.create_entry(
                session, actor, {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": day, "hours": 0.5}
            )

    ws.run(add)


def test_pages_sync_and_async(client: Keito, ws: Workspace) -> None:
    _seed(ws)
    pager = client.time_entries.list(per_page=100)
    assert pager.total_entries is None  # nothing fetched yet
    ids = [e.id for e in pager]
    assert len(ids) == COUNT == len(set(ids))
    assert pager.total_entries == COUNT and pager.total_pages == 3
    assert [len(p) for p in client.time_entries.list(per_page=100).pages()] == [100, 100, 60]
    assert client.time_entries.list().first() is not None

    async def walk() -> list[str]:
        async with AsyncKeito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url) as c:
            return [e.id async for e in c.time_entries.list(per_page=100)]

    assert sorted(asyncio.run(walk())) == sorted(ids)

"""SDK/CLI test fixtures: clients pointed at the live server's fresh workspace."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from keito import Keito

from tests.support.live import Workspace


@pytest.fixture
def client(ws: Workspace) -> Iterator[Keito]:
    with Keito(api_key=ws.admin_key, account_id=ws.account_id, base_url=ws.server.url, max_retries=2) as c:
        yield c


def route_landed(ws: Workspace, path: str) -> bool:
    """True once another engineer's endpoint answers something other than 404/405 for a GET."""
    import httpx

    r = httpx.get(
        f"{ws.server.url}/api/v2/{path}",
        headers={"Authorization": f"Bearer {ws.admin_key}", "Keito-Account-Id": ws.account_id},
    )
    return r.status_code not in (404, 405)

"""The per-process auth cache (``KEITO_AUTH_CACHE_SECONDS``, 5 s in production, off in the other
tests) keeps a key's person and workspace between requests. A change made through this server
must show on the very next request, however long the cache lives: revoking the key, archiving
its person, changing their roles or rates. Here the cache lives for five minutes, so only the
invalidation on commit can explain a fresh answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.support.live import LiveServer, Workspace, make_workspace


@pytest.fixture(scope="module")
def cached(server: LiveServer) -> Iterator[LiveServer]:
    live = LiveServer(backend=server.backend, env_extra={"KEITO_AUTH_CACHE_SECONDS": "300"}).start()
    yield live
    live.cleanup()


@pytest.fixture
def cws(cached: LiveServer) -> Workspace:
    return make_workspace(cached)


def _entry(ws: Workspace) -> dict[str, object]:
    return {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": date.today().isoformat(), "hours": 1}


def test_revoking_a_key_refuses_it_on_the_next_request(cws: Workspace) -> None:
    admin = cws.api()
    created = admin.post("api_keys", json={"name": "short-lived"}).json()
    mine = cws.api(created["key"])
    assert mine.get("users/me").status_code == 200  # now cached
    assert admin.delete(f"api_keys/{created['id']}").status_code == 204
    refused = mine.get("users/me")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_error"


def test_archiving_a_person_refuses_their_key_on_the_next_request(cws: Workspace) -> None:
    bot_id, bot_key = cws.add_user("cache-bot", user_type="agent")
    bot = cws.api(bot_key)
    assert bot.post("time_entries", json=_entry(cws)).status_code == 201  # now cached
    assert cws.api().patch(f"users/{bot_id}", json={"is_active": False}).status_code == 200
    refused = bot.post("time_entries", json=_entry(cws))
    assert refused.status_code == 401, refused.text


def test_new_roles_and_rates_apply_on_the_next_request(cws: Workspace) -> None:
    member_id, member_key = cws.add_user("Mo Member", cost_rate=10)
    member = cws.api(member_key)
    first = member.post("time_entries", json=_entry(cws))
    assert first.status_code == 201 and first.json()["cost_rate"] == 10
    assert member.post("clients", json={"name": "Not yet"}).status_code == 403

    changed = cws.api().patch(f"users/{member_id}", json={"cost_rate": 12.5, "roles": ["administrator"]})
    assert changed.status_code == 200, changed.text
    second = member.post("time_entries", json=_entry(cws))
    assert second.status_code == 201 and second.json()["cost_rate"] == 12.5
    assert member.post("clients", json={"name": "Now allowed"}).status_code == 201


def test_a_key_is_refused_for_another_workspace_when_cached(cws: Workspace, cached: LiveServer) -> None:
    other = make_workspace(cached, name="Other Co")
    api = cws.api()
    assert api.get("users/me").status_code == 200  # now cached
    wrong = api.get("users/me", headers={"Keito-Account-Id": other.account_id})
    assert wrong.status_code == 401 and wrong.json()["code"] == "authentication_error"

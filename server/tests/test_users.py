"""People (humans and agents) through both dialects against a real server: the current user
per contract, administrators adding and editing people, what members may edit, archiving,
and tenant isolation (decisions §2, §5; inventory §1.4, §1.5, §2.9, §2.10)."""

from __future__ import annotations

from typing import Any

from tests.support.contract import assert_matches
from tests.support.live import Workspace


def test_me_matches_contract_in_both_dialects(ws: Workspace) -> None:
    me = ws.api().get("users/me")
    assert me.status_code == 200
    assert me.headers["X-Keito-API-Version"] == "2"
    assert_matches("getCurrentUser", me)
    body = me.json()
    assert body["id"] == ws.admin_id
    assert body["company"] == {"id": ws.account_id, "name": "Test Co"}
    assert (body["first_name"], body["last_name"], body["user_type"]) == ("Ada", "Admin", "human")
    assert "administrator" in body["roles"] and body["timezone"] == "UTC" and body["currency"] == "USD"
    assert body["weekly_capacity"] == 144000

    v1 = ws.api(dialect="v1").get("users/me")
    assert v1.status_code == 200
    one = v1.json()
    assert (one["id"], one["name"], one["user_type"], one["is_active"]) == (ws.admin_id, "Ada Admin", "human", True)
    assert {"email", "billable_rate", "cost_rate", "created_at"} <= set(one)


def test_administrators_add_humans_and_agents(ws: Workspace) -> None:
    api = ws.api()
    human = api.post(
        "users",
        json={
            "first_name": "Hana",
            "last_name": "Human",
            "email": "Hana@Example.com",
            "roles": ["Manager"],
            "default_hourly_rate": 150,
            "cost_rate": 60,
            "timezone": "Europe/London",
        },
    )
    assert human.status_code == 201, human.text
    h = human.json()
    assert h["id"].startswith("usr_") and h["email"] == "hana@example.com"
    assert h["roles"] == ["manager", "member"] and h["user_type"] == "human"
    assert (h["default_hourly_rate"], h["cost_rate"], h["timezone"]) == (150, 60, "Europe/London")

    agent = api.post("users", json={"user_type": "AGENT", "name": "review-bot-01"})
    assert agent.status_code == 201, agent.text
    a = agent.json()
    assert (a["user_type"], a["first_name"], a["roles"], a["is_active"]) == ("agent", "review-bot-01", ["member"], True)
    assert a["email"].startswith("review-bot-01@")

    v1_agent = ws.api(dialect="v1").post(
        "users", json={"user_type": "agent", "name": "ci-bot", "billable_rate": 75, "cost_rate": 5}
    )
    assert v1_agent.status_code == 201, v1_agent.text
    assert (v1_agent.json()["name"], v1_agent.json()["billable_rate"], v1_agent.json()["cost_rate"]) == (
        "ci-bot",
        75,
        5,
    )

    listing = api.get("users")
    assert listing.status_code == 200 and listing.json()["total_entries"] == 4
    agents = api.get("users", params={"user_type": "Agent"}).json()["users"]
    assert {u["first_name"] for u in agents} == {"review-bot-01", "ci-bot"}
    v1_agents = ws.api(dialect="v1").get("users", params={"user_type": "agent", "limit": 1}).json()
    assert len(v1_agents["data"]) == 1 and v1_agents["has_more"] is True
    got = api.get(f"users/{a['id']}")
    assert got.status_code == 200 and got.json()["user_type"] == "agent"
    assert ws.api(dialect="v1").get(f"users/{a['id']}").json()["name"] == "review-bot-01"


def test_bad_user_input(ws: Workspace) -> None:
    api = ws.api()
    api.post("users", json={"first_name": "Dup", "email": "dup@example.com"})
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"first_name": "No Email"}, 400, "validation_error", "email"),
        ({"email": "x@example.com"}, 400, "validation_error", "first_name"),
        ({"user_type": "agent"}, 400, "validation_error", "name"),
        ({"user_type": "robot", "name": "r"}, 400, "validation_error", "user_type"),
        ({"first_name": "X", "email": "not-an-email"}, 400, "validation_error", "email"),
        ({"first_name": "X", "email": "x@example.com", "roles": ["owner"]}, 400, "validation_error", "roles"),
        ({"first_name": "X", "email": "x@example.com", "timezone": "Mars/Base"}, 400, "validation_error", "timezone"),
        ({"first_name": "X", "email": "x@example.com", "cost_rate": -1}, 400, "validation_error", "cost_rate"),
        (
            {"first_name": "X", "email": "x@example.com", "weekly_capacity": -5},
            400,
            "validation_error",
            "weekly_capacity",
        ),
        ({"first_name": "Dup", "email": "DUP@example.com"}, 409, "already_exists", "email"),
    ]
    for body, status, code, field in cases:
        r = api.post("users", json=body)
        assert r.status_code == status, (body, r.text)
        assert (r.json()["code"], r.json()["field"]) == (code, field), body
    api.post("users", json={"user_type": "agent", "name": "bot"})
    twin = api.post("users", json={"user_type": "agent", "name": "bot"})
    assert twin.status_code == 409 and "another name" in twin.json()["error_description"]
    assert api.get("users").json()["total_entries"] == 3


def test_who_may_edit_what(ws: Workspace) -> None:
    member_id, member_key = ws.add_user("Mia Member", default_hourly_rate=100, cost_rate=40)
    other_id, _ = ws.add_user("Olli Other", cost_rate=30)
    member = ws.api(member_key)
    own = member.patch(f"users/{member_id}", json={"first_name": "Mia", "last_name": "M", "timezone": "Asia/Tokyo"})
    assert own.status_code == 200, own.text
    assert (own.json()["first_name"], own.json()["timezone"]) == ("Mia", "Asia/Tokyo")
    for body in ({"roles": ["administrator"]}, {"default_hourly_rate": 500}, {"cost_rate": 1}, {"is_active": False}):
        r = member.patch(f"users/{member_id}", json=body)
        assert r.status_code == 403, body
        assert r.json()["code"] == "authorization_error"
        assert "administrators" in r.json()["error_description"]
    assert member.patch(f"users/{other_id}", json={"first_name": "X"}).status_code == 403
    assert member.post("users", json={"user_type": "agent", "name": "bot"}).status_code == 403
    _, manager_key = ws.add_user("Max Manager", roles=["manager"])
    denied = ws.api(manager_key).post("users", json={"user_type": "agent", "name": "bot"})
    assert denied.status_code == 403 and denied.json()["code"] == "authorization_error"
    # Rates: your own are visible; another person's cost rate is not shown to non-administrators.
    assert member.get("users/me").json()["cost_rate"] == 40
    assert member.get(f"users/{other_id}").json()["cost_rate"] is None
    assert ws.api().get(f"users/{other_id}").json()["cost_rate"] == 30

    promoted = ws.api().patch(f"users/{member_id}", json={"roles": ["manager"], "default_hourly_rate": 120})
    assert promoted.status_code == 200
    assert promoted.json()["roles"] == ["manager", "member"] and promoted.json()["default_hourly_rate"] == 120
    assert member.get("users/me").json()["roles"] == ["manager", "member"]
    assert member.patch(f"users/{member_id}", json={"timezone": "Nowhere/Land"}).status_code == 400
    changed_type = ws.api().patch(f"users/{member_id}", json={"user_type": "agent"})
    assert changed_type.status_code == 422 and changed_type.json()["field"] == "user_type"


def test_archived_users_keys_stop_working_and_last_admin_stays(ws: Workspace) -> None:
    api = ws.api()
    member_id, member_key = ws.add_user("Mia Member")
    assert ws.api(member_key).get("users/me").status_code == 200
    archived = api.patch(f"users/{member_id}", json={"is_active": False})
    assert archived.status_code == 200 and archived.json()["is_active"] is False
    refused = ws.api(member_key).get("users/me")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_error"
    assert [u["id"] for u in api.get("users", params={"is_active": "false"}).json()["users"]] == [member_id]
    v1_archived = ws.api(dialect="v1").get("users", params={"is_active": "false"}).json()["data"]
    assert [u["id"] for u in v1_archived] == [member_id]
    assert api.patch(f"users/{member_id}", json={"is_active": True}).status_code == 200
    assert ws.api(member_key).get("users/me").status_code == 200

    for body in ({"roles": ["member"]}, {"is_active": False}):
        r = api.patch(f"users/{ws.admin_id}", json=body)
        assert r.status_code == 422, body
        assert "at least one active administrator" in r.json()["error_description"]
    assert "administrator" in api.get("users/me").json()["roles"]


def test_another_workspace_users_are_404(ws: Workspace, other_ws: Workspace) -> None:
    theirs = other_ws.api()
    assert theirs.get(f"users/{ws.admin_id}").status_code == 404
    assert theirs.patch(f"users/{ws.admin_id}", json={"first_name": "X"}).status_code == 404
    assert other_ws.api(dialect="v1").get(f"users/{ws.admin_id}").status_code == 404
    assert ws.admin_id not in [u["id"] for u in theirs.get("users").json()["users"]]
    assert ws.api().get("users/me").json()["first_name"] == "Ada"


def test_credentials_errors_on_user_routes(ws: Workspace) -> None:
    import httpx

    url = ws.server.url
    no_account = httpx.get(f"{url}/api/v2/users/me", headers={"Authorization": f"Bearer {ws.admin_key}"})
    assert no_account.status_code == 400
    assert no_account.json()["error_description"] == "Missing Keito-Account-Id header"
    no_key = httpx.get(f"{url}/api/v2/users", headers={"Keito-Account-Id": ws.account_id})
    assert no_key.status_code == 401 and no_key.json()["code"] == "authentication_error"
    bad_key = httpx.get(f"{url}/v1/users/me", headers={"Authorization": "Bearer kto_not_a_real_key"})
    assert bad_key.status_code == 401 and bad_key.json()["error"]["code"] == "authentication_error"
    _, member_key = ws.add_user("Mia Member")
    v1_denied = ws.api(member_key, dialect="v1").post("users", json={"user_type": "agent", "name": "bot"})
    assert v1_denied.status_code == 403
    assert v1_denied.json()["error"]["code"] == "authorization_error"
    assert "administrators" in v1_denied.json()["error"]["message"]

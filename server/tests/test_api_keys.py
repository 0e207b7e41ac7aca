"""API keys through the API against a real server: an administrator gives an agent a key,
the key is shown once and works, lists never show it again, revocation, and who may do what
(decisions §2; inventory §1.5, §2.2)."""

from __future__ import annotations

from tests.support.live import Workspace


def test_agent_gets_a_key_through_the_api_and_it_works(ws: Workspace) -> None:
    admin = ws.api()
    agent = admin.post("users", json={"user_type": "agent", "name": "review-bot-01", "default_hourly_rate": 75})
    assert agent.status_code == 201, agent.text
    agent_id = agent.json()["id"]
    created = admin.post("api_keys", json={"name": "review bot", "user_id": agent_id})
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["key"].startswith("kto_") and key["key"].startswith(key["prefix"])
    assert (key["user_id"], key["name"], key["revoked_at"], key["last_used_at"]) == (
        agent_id,
        "review bot",
        None,
        None,
    )

    me = ws.api(key["key"]).get("users/me")
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["user_type"]) == (agent_id, "agent")
    v1_me = ws.api(key["key"], dialect="v1").get("users/me")
    assert v1_me.status_code == 200 and v1_me.json()["user_type"] == "agent"

    listed = admin.get("api_keys", params={"user_id": agent_id}).json()["api_keys"]
    assert [k["id"] for k in listed] == [key["id"]]
    assert "key" not in listed[0] and listed[0]["last_used_at"] is not None
    assert key["key"] not in admin.get("api_keys").text

    assert admin.delete(f"api_keys/{key['id']}").status_code == 204
    refused = ws.api(key["key"]).get("users/me")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_error"
    after = admin.get("api_keys", params={"user_id": agent_id}).json()["api_keys"]
    assert after[0]["revoked_at"] is not None and after[0]["is_active"] is False


def test_members_manage_only_their_own_keys(ws: Workspace) -> None:
    member_id, member_key = ws.add_user("Mia Member")
    member = ws.api(member_key)
    own = member.post("api_keys", json={"name": "laptop"})
    assert own.status_code == 201 and own.json()["user_id"] == member_id
    listed = member.get("api_keys").json()["api_keys"]
    assert {k["user_id"] for k in listed} == {member_id} and len(listed) == 2
    admin_keys = ws.api().get("api_keys").json()["api_keys"]
    assert {k["user_id"] for k in admin_keys} >= {member_id, ws.admin_id}

    for r in (
        member.post("api_keys", json={"name": "theirs", "user_id": ws.admin_id}),
        member.get("api_keys", params={"user_id": ws.admin_id}),
        member.delete(f"api_keys/{next(k['id'] for k in admin_keys if k['user_id'] == ws.admin_id)}"),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "authorization_error"
    assert member.delete(f"api_keys/{own.json()['id']}").status_code == 204
    assert ws.api(own.json()["key"]).get("users/me").status_code == 401
    assert member.get("users/me").status_code == 200  # the other key still works

    for body, status, field in (
        ({}, 400, "name"),
        ({"name": ""}, 400, "name"),
        ({"name": "x", "user_id": "usr_nope"}, 404, "user_id"),
    ):
        r = ws.api().post("api_keys", json=body)
        assert r.status_code == status, r.text
        assert r.json()["field"] == field
    v1 = ws.api(member_key, dialect="v1").get("api-keys")
    assert v1.status_code == 200 and {k["user_id"] for k in v1.json()["data"]} == {member_id}


def test_another_workspace_keys_and_users_are_404(ws: Workspace, other_ws: Workspace) -> None:
    mine = ws.api().get("api_keys").json()["api_keys"][0]
    theirs = other_ws.api()
    assert theirs.delete(f"api_keys/{mine['id']}").status_code == 404
    assert theirs.post("api_keys", json={"name": "x", "user_id": ws.admin_id}).status_code == 404
    assert mine["id"] not in [k["id"] for k in theirs.get("api_keys").json()["api_keys"]]
    assert ws.api().get("users/me").status_code == 200
    # A key only works with its own workspace's Keito-Account-Id.
    wrong = ws.api().get("users/me", headers={"Keito-Account-Id": other_ws.account_id})
    assert wrong.status_code == 401

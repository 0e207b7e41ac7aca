"""Managers restricted to teammates (inventory §1.4, ADR 0902), against a real server on both
databases: an unrestricted manager sees the whole workspace; once an administrator names
teammates, the manager sees, edits, logs for and reports on those people (and themselves) only,
in both dialects; an empty list lifts the restriction; bad input is a clear 4xx."""

from __future__ import annotations

from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator

from tests.support.live import Workspace

DAY = "2026-03-06"


def _log(ws: Workspace, key: str, hours: float, notes: str) -> str:
    r = ws.api(key).post(
        "time_entries",
        json={"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": DAY, "hours": hours, "notes": notes},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _expense(ws: Workspace, key: str, amount: float) -> str:
    r = ws.api(key).post(
        "expenses",
        json={
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": DAY,
            "total_cost": amount,
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _team(ws: Workspace) -> dict[str, Any]:
    """A manager, two members and an agent, each with an entry and an expense."""
    manager_id, manager_key = ws.add_user("Max", roles=["manager", "member"])
    ann_id, ann_key = ws.add_user("Ann")
    bob_id, bob_key = ws.add_user("Bob")
    bot_id, bot_key = ws.add_user("review-bot-01", user_type="agent")
    return {
        "manager": (manager_id, manager_key),
        "ann": (ann_id, ann_key),
        "bob": (bob_id, bob_key),
        "bot": (bot_id, bot_key),
        "entries": {
            name: _log(ws, key, hours, f"{name}'s work")
            for name, key, hours in (
                ("manager", manager_key, 0.5),
                ("ann", ann_key, 1.0),
                ("bob", bob_key, 2.0),
                ("bot", bot_key, 4.0),
            )
        },
        "expenses": {name: _expense(ws, key, 1) for name, key in (("ann", ann_key), ("bob", bob_key))},
    }


def _schema(ws: Workspace, path: str, method: str, status: str) -> dict[str, Any]:
    doc = httpx.get(f"{ws.server.url}/openapi.json", timeout=30).json()
    schema: dict[str, Any] = doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return schema


def _users_seen(api: Any, path: str, key: str = "time_entries") -> set[str]:
    r = api.get(path, params={"from": "2026-03-01", "to": "2026-03-31"})
    assert r.status_code == 200, r.text
    return {row["user"]["id"] for row in r.json()[key]}


def test_a_restricted_manager_sees_and_manages_only_their_teammates(ws: Workspace) -> None:
    t = _team(ws)
    manager_id, manager_key = t["manager"]
    ann_id, bob_id, bot_id = t["ann"][0], t["bob"][0], t["bot"][0]
    admin, mgr = ws.api(), ws.api(manager_key)
    everyone = {ws.admin_id, manager_id, ann_id, bob_id, bot_id} - {ws.admin_id}

    # Unrestricted by default: the whole workspace.
    assert _users_seen(mgr, "time_entries") == everyone
    empty = mgr.get(f"users/{manager_id}/teammates")
    assert empty.status_code == 200 and empty.json()["teammates"] == [] and empty.json()["total_entries"] == 0

    # An administrator names Ann and the agent.
    r = admin.patch(f"users/{manager_id}/teammates", json={"teammate_ids": [ann_id, bot_id, ann_id, manager_id]})
    assert r.status_code == 200, r.text
    OAS30Validator(_schema(ws, "/api/v2/users/{id}/teammates", "patch", "200")).validate(r.json())
    assert {p["id"] for p in r.json()["teammates"]} == {ann_id, bot_id}  # duplicates and self dropped
    listed = mgr.get(f"users/{manager_id}/teammates")
    OAS30Validator(_schema(ws, "/api/v2/users/{id}/teammates", "get", "200")).validate(listed.json())
    assert {p["id"] for p in listed.json()["teammates"]} == {ann_id, bot_id}

    # Time: lists, single reads, edits, deletes, and logging on someone's behalf.
    assert _users_seen(mgr, "time_entries") == {manager_id, ann_id, bot_id}
    bob_entry = t["entries"]["bob"]
    assert mgr.get(f"time_entries/{bob_entry}").status_code == 404
    assert mgr.patch(f"time_entries/{bob_entry}", json={"notes": "mine now"}).status_code == 404
    assert mgr.delete(f"time_entries/{bob_entry}").status_code == 404
    assert mgr.get(f"time_entries/{t['entries']['ann']}").status_code == 200
    assert mgr.patch(f"time_entries/{t['entries']['ann']}", json={"notes": "checked"}).status_code == 200
    assert mgr.get("time_entries", params={"user_id": bob_id}).json()["total_entries"] == 0
    body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": DAY, "hours": 1}
    refused = mgr.post("time_entries", json={**body, "user_id": bob_id})
    assert refused.status_code == 403 and refused.json()["code"] == "authorization_error"
    assert "teammates" in refused.json()["error_description"]
    assert mgr.post("time_entries", json={**body, "user_id": ann_id}).status_code == 201
    assert admin.get("time_entries", params={"user_id": bob_id}).json()["total_entries"] == 1  # nothing written
    v1_seen = {e["user_id"] for e in ws.api(manager_key, dialect="v1").get("time-entries").json()["data"]}
    assert v1_seen == {manager_id, ann_id, bot_id}

    # Expenses.
    seen = mgr.get("expenses").json()["expenses"]
    assert {e["user"]["id"] for e in seen} == {ann_id}
    assert mgr.get(f"expenses/{t['expenses']['bob']}").status_code == 404
    assert (
        mgr.post(
            "expenses",
            json={
                "project_id": ws.project_id,
                "expense_category_id": "cat_llm_usage",
                "spent_date": DAY,
                "total_cost": 2,
                "user_id": bob_id,
            },
        ).status_code
        == 403
    )

    # Reports: the team report and the summary count teammates' work only.
    team = mgr.get("reports/time/team", params={"from": "20260301", "to": "20260331"})
    assert team.status_code == 200, team.text
    assert {row["user_id"] for row in team.json()["results"]} == {manager_id, ann_id, bot_id}
    summary = mgr.get("reports/summary", params={"from": "20260301", "to": "20260331", "group_by": "user"})
    assert {row["key"] for row in summary.json()["results"]} == {manager_id, ann_id, bot_id}
    assert sum(row["hours"] for row in summary.json()["results"]) == 0.5 + 1 + 1 + 4  # + the entry logged for Ann
    admin_team = admin.get("reports/time/team", params={"from": "20260301", "to": "20260331"}).json()["results"]
    assert bob_id in {row["user_id"] for row in admin_team}

    # An empty list lifts the restriction.
    cleared = admin.patch(f"users/{manager_id}/teammates", json={"teammate_ids": []})
    assert cleared.status_code == 200 and cleared.json()["teammates"] == []
    assert mgr.get(f"time_entries/{bob_entry}").status_code == 200
    assert _users_seen(mgr, "time_entries") == everyone


def test_v1_teammates(ws: Workspace) -> None:
    manager_id, manager_key = ws.add_user("Max", roles=["manager", "member"])
    ann_id, _ = ws.add_user("Ann")
    v1 = ws.api(dialect="v1")
    r = v1.patch(f"users/{manager_id}/teammates", json={"teammate_ids": [ann_id]})
    assert r.status_code == 200, r.text
    OAS30Validator(_schema(ws, "/v1/users/{id}/teammates", "patch", "200")).validate(r.json())
    assert [p["id"] for p in r.json()["data"]] == [ann_id] and r.json()["has_more"] is False
    mine = ws.api(manager_key, dialect="v1").get(f"users/{manager_id}/teammates")
    assert mine.status_code == 200 and [p["name"] for p in mine.json()["data"]] == ["Ann"]
    bad = v1.patch(f"users/{ann_id}/teammates", json={"teammate_ids": [manager_id]})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    assert bad.json()["error"]["field"] == "teammate_ids"


def test_bad_teammate_requests(ws: Workspace, other_ws: Workspace) -> None:
    manager_id, manager_key = ws.add_user("Max", roles=["manager", "member"])
    member_id, member_key = ws.add_user("Mia")
    admin = ws.api()
    path = f"users/{manager_id}/teammates"

    def rejected(r: httpx.Response, status: int, code: str, field: str | None = None) -> None:
        assert r.status_code == status, r.text
        body = r.json()
        assert body["code"] == code and body["error_description"], body
        if field:
            assert body["field"] == field, body

    rejected(admin.patch(path, json={}), 400, "validation_error", "teammate_ids")
    rejected(admin.patch(path, json={"teammate_ids": "usr_x"}), 400, "validation_error", "teammate_ids")
    rejected(admin.patch(path, json={"teammate_ids": [member_id, "usr_nobody"]}), 404, "not_found", "teammate_ids")
    other_person = other_ws.admin_id
    rejected(admin.patch(path, json={"teammate_ids": [other_person]}), 404, "not_found", "teammate_ids")
    rejected(admin.patch(f"users/{member_id}/teammates", json={"teammate_ids": []}), 422, "validation_error")
    rejected(admin.patch(f"users/{ws.admin_id}/teammates", json={"teammate_ids": []}), 422, "validation_error")
    rejected(admin.patch("users/usr_nobody/teammates", json={"teammate_ids": []}), 404, "not_found")
    # Only administrators choose teammates; a manager may read their own list, no one else's.
    rejected(ws.api(manager_key).patch(path, json={"teammate_ids": [member_id]}), 403, "authorization_error")
    rejected(ws.api(member_key).get(path), 403, "authorization_error")
    rejected(ws.api(manager_key).get(f"users/{member_id}/teammates"), 403, "authorization_error")
    # Nothing was written by any of the refused requests.
    assert admin.get(path).json()["teammates"] == []

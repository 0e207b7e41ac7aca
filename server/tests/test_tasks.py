"""Workspace-global tasks through both dialects against a real server (inventory §1.8)."""

from __future__ import annotations

from tests.support.contract import assert_matches
from tests.support.live import Workspace

DEFAULT_TASKS = {"Development", "Code Review", "Design", "Project Management"}


def test_list_matches_contract_and_crud(ws: Workspace) -> None:
    api = ws.api()
    listing = api.get("tasks")
    assert listing.status_code == 200
    assert_matches("listTasks", listing)
    assert {t["name"] for t in listing.json()["tasks"]} == DEFAULT_TASKS

    created = api.post("tasks", json={"name": "Research", "billable_by_default": False, "default_hourly_rate": 95.5})
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["id"].startswith("tsk_")
    assert (task["billable_by_default"], task["default_hourly_rate"], task["is_default"]) == (False, 95.5, False)
    child = api.post("tasks", json={"name": "Research / reading", "parent_task_id": task["id"]})
    assert child.status_code == 201 and child.json()["parent_task_id"] == task["id"]

    assert api.get(f"tasks/{task['id']}").json() == task
    archived = api.patch(f"tasks/{task['id']}", json={"is_active": False, "default_hourly_rate": None})
    assert archived.status_code == 200, archived.text
    assert archived.json()["is_active"] is False and archived.json()["default_hourly_rate"] is None
    active = {t["name"] for t in api.get("tasks", params={"is_active": "true"}).json()["tasks"]}
    assert "Research" not in active and "Development" in active
    inactive = api.get("tasks", params={"is_active": "false"}).json()["tasks"]
    assert [t["name"] for t in inactive] == ["Research"]

    assert api.delete(f"tasks/{task['id']}").status_code == 204
    assert api.get(f"tasks/{task['id']}").status_code == 404
    assert api.get(f"tasks/{child.json()['id']}").json()["parent_task_id"] is None


def test_v1_tasks(ws: Workspace) -> None:
    v1 = ws.api(dialect="v1")
    page = v1.get("tasks", params={"limit": 3}).json()
    assert len(page["data"]) == 3 and page["has_more"] is True
    rest = v1.get("tasks", params={"cursor": page["next_cursor"]}).json()
    assert {t["name"] for t in page["data"] + rest["data"]} == DEFAULT_TASKS
    one = v1.get(f"tasks/{ws.task_id}").json()
    assert one["name"] == "Development" and one["is_billable"] is True and "billable_by_default" not in one


def test_task_rules_and_bad_input(ws: Workspace) -> None:
    api = ws.api()
    duplicate = api.post("tasks", json={"name": "development"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "already_exists" and "already exists" in duplicate.json()["error_description"]
    rename = api.patch(f"tasks/{ws.other_task_id}", json={"name": "Development"})
    assert rename.status_code == 409
    for body, field, status in (
        ({"name": ""}, "name", 400),
        ({"name": "X", "default_hourly_rate": -5}, "default_hourly_rate", 400),
        ({"name": "X", "billable_by_default": "no"}, "billable_by_default", 400),
        ({"name": "X", "parent_task_id": "tsk_nope"}, "parent_task_id", 404),
    ):
        r = api.post("tasks", json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["field"] == field
    self_parent = api.patch(f"tasks/{ws.task_id}", json={"parent_task_id": ws.task_id})
    assert self_parent.status_code == 400
    assert api.get("tasks").json()["total_entries"] == len(DEFAULT_TASKS)

    logged = api.post(
        "time_entries",
        json={"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": "2026-03-06", "hours": 1},
    )
    assert logged.status_code == 201, logged.text
    refused = api.delete(f"tasks/{ws.task_id}")
    assert refused.status_code == 409 and refused.json()["code"] == "task_has_time"
    assert api.get(f"tasks/{ws.task_id}").status_code == 200


def test_task_permissions_and_isolation(ws: Workspace, other_ws: Workspace) -> None:
    _, key = ws.add_user("Mia Member")
    member = ws.api(key)
    assert member.get("tasks").status_code == 200
    for r in (
        member.post("tasks", json={"name": "Sneaky"}),
        member.patch(f"tasks/{ws.task_id}", json={"name": "Renamed"}),
        member.delete(f"tasks/{ws.task_id}"),
    ):
        assert r.status_code == 403 and r.json()["code"] == "authorization_error"
    theirs = other_ws.api()
    assert theirs.get(f"tasks/{ws.task_id}").status_code == 404
    assert theirs.patch(f"tasks/{ws.task_id}", json={"name": "X"}).status_code == 404
    assert theirs.delete(f"tasks/{ws.task_id}").status_code == 404
    assert ws.task_id not in [t["id"] for t in theirs.get("tasks").json()["tasks"]]
    # Same name in another workspace is fine: names are unique per workspace only.
    assert theirs.post("tasks", json={"name": "Research"}).status_code == 201
    assert ws.api().post("tasks", json={"name": "Research"}).status_code == 201

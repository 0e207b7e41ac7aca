"""Projects, task assignments and project teams through both dialects against a real server
(decisions §1, §5; inventory §1.4, §1.7, §2.8, §2.9, §2.10)."""

from __future__ import annotations

from typing import Any

from tests.support.contract import assert_matches
from tests.support.live import Workspace

ENTRY = {"spent_date": "2026-03-06", "hours": 1}


def _project(ws: Workspace, **fields: Any) -> dict[str, Any]:
    r = ws.api().post("projects", json={"client_id": ws.client_id, "name": "Mobile App", **fields})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_list_matches_contract_and_filters(ws: Workspace) -> None:
    api = ws.api()
    other_client = api.post("clients", json={"name": "Globex"}).json()
    mobile = _project(ws, client_id=other_client["id"])
    old = _project(ws, name="Old Site", is_active=False)
    listing = api.get("projects")
    assert listing.status_code == 200
    assert_matches("listProjects", listing)
    # is_active defaults to true: the archived project is left out.
    assert {p["name"] for p in listing.json()["projects"]} == {"Acme Website", "Mobile App"}
    archived = api.get("projects", params={"is_active": "false"}).json()["projects"]
    assert [p["id"] for p in archived] == [old["id"]]
    by_client = api.get("projects", params={"client_id": other_client["id"]}).json()["projects"]
    assert [p["id"] for p in by_client] == [mobile["id"]]
    assert by_client[0]["client"]["name"] == "Globex"
    none_since = api.get("projects", params={"updated_since": "2999-01-01T00:00:00Z"}).json()
    assert none_since["total_entries"] == 0
    links = api.get("projects", params={"per_page": 1, "client_id": ws.client_id}).json()["links"]
    assert links["first"] == f"/api/v2/projects?client_id={ws.client_id}&page=1&per_page=1"


def test_create_accepts_enums_in_any_case_and_assigns_default_tasks(ws: Workspace) -> None:
    api = ws.api()
    body = _project(
        ws,
        code="MOB-1",
        bill_by="PROJECT",
        budget_by="Project_Cost",
        budget=5000,
        hourly_rate=120.5,
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        notify_when_over_budget=True,
        over_budget_notification_percentage=80,
    )
    assert body["id"].startswith("prj_")
    assert (body["bill_by"], body["budget_by"], body["hourly_rate"], body["budget"]) == (
        "Project",
        "project_cost",
        120.5,
        5000,
    )
    assert (body["starts_on"], body["ends_on"], body["code"]) == ("2026-01-01", "2026-12-31", "MOB-1")
    assert _project(ws, name="Defaults")["over_budget_notification_percentage"] == 80
    for bill_by, budget_by in (("tasks", "TASK"), ("people", "Person"), ("NONE", "none"), ("project", "TASK_FEES")):
        r = api.patch(f"projects/{body['id']}", json={"bill_by": bill_by, "budget_by": budget_by})
        assert r.status_code == 200, r.text
        assert (
            r.json()["bill_by"]
            == {"tasks": "Tasks", "people": "People", "none": "none", "project": "Project"}[bill_by.lower()]
        )
        assert r.json()["budget_by"] == budget_by.lower()
    tasks = api.get(f"projects/{body['id']}/task_assignments").json()["task_assignments"]
    assert {t["task"]["name"] for t in tasks} == {"Development", "Code Review", "Design", "Project Management"}
    team = api.get(f"projects/{body['id']}/user_assignments").json()["user_assignments"]
    assert [(u["user"]["id"], u["is_project_manager"]) for u in team] == [(ws.admin_id, True)]

    chosen = _project(ws, name="Chosen", task_ids=[ws.other_task_id])
    chosen_tasks = api.get(f"projects/{chosen['id']}/task_assignments").json()["task_assignments"]
    assert [t["task"]["id"] for t in chosen_tasks] == [ws.other_task_id]


def test_get_update_archive_delete(ws: Workspace) -> None:
    api = ws.api()
    body = _project(ws)
    got = api.get(f"projects/{body['id']}")
    assert got.status_code == 200 and got.json() == body
    archived = api.patch(f"projects/{body['id']}", json={"is_active": False, "notes": "done"})
    assert archived.status_code == 200
    assert archived.json()["is_active"] is False and archived.json()["notes"] == "done"
    assert archived.json()["name"] == "Mobile App"
    assert api.delete(f"projects/{body['id']}").status_code == 204
    assert api.get(f"projects/{body['id']}").status_code == 404

    logged = api.post("time_entries", json={"project_id": ws.project_id, "task_id": ws.task_id, **ENTRY})
    assert logged.status_code == 201, logged.text
    refused = api.delete(f"projects/{ws.project_id}")
    assert refused.status_code == 409
    assert refused.json()["code"] == "project_has_records"
    assert "archive" in refused.json()["error_description"]
    assert api.get(f"projects/{ws.project_id}").status_code == 200


def test_unique_code_per_workspace(ws: Workspace, other_ws: Workspace) -> None:
    api = ws.api()
    _project(ws, code="DUP")
    again = api.post("projects", json={"client_id": ws.client_id, "name": "Again", "code": "DUP"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_exists" and again.json()["field"] == "code"
    assert "DUP" in again.json()["error_description"]
    renamed = api.patch(f"projects/{ws.project_id}", json={"code": "DUP"})
    assert renamed.status_code == 409
    theirs = other_ws.api().post("projects", json={"client_id": other_ws.client_id, "name": "X", "code": "DUP"})
    assert theirs.status_code == 201
    # No code at all is fine, many times over.
    _project(ws, name="No code 1")
    _project(ws, name="No code 2")


def test_bad_project_input_writes_nothing(ws: Workspace) -> None:
    api = ws.api()
    good = {"client_id": ws.client_id, "name": "X"}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"name": "X"}, 400, "client_id"),
        ({"client_id": ws.client_id}, 400, "name"),
        ({**good, "name": " "}, 400, "name"),
        ({**good, "client_id": "cli_nope"}, 404, "client_id"),
        ({**good, "bill_by": "hourly"}, 400, "bill_by"),
        ({**good, "budget_by": "money"}, 400, "budget_by"),
        ({**good, "starts_on": "2026-02-30"}, 400, "starts_on"),
        ({**good, "starts_on": "2026-03-01", "ends_on": "2026-02-01"}, 400, "ends_on"),
        ({**good, "hourly_rate": -1}, 400, "hourly_rate"),
        ({**good, "over_budget_notification_percentage": 150}, 400, "over_budget_notification_percentage"),
        ({**good, "is_billable": "sure"}, 400, "is_billable"),
        ({**good, "task_ids": ["tsk_nope"]}, 404, "task_ids"),
    ]
    for body, status, field in cases:
        r = api.post("projects", json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["field"] == field, (body, r.json())
        assert r.json()["error_description"]
    listing = api.get("projects", params={"is_active": "false"}).json()["total_entries"]
    assert listing + api.get("projects").json()["total_entries"] == 1
    cleared = api.patch(f"projects/{ws.project_id}", json={"client_id": None, "name": "Kept?"})
    assert cleared.status_code == 400 and cleared.json()["field"] == "client_id"
    assert api.get(f"projects/{ws.project_id}").json()["name"] == "Acme Website"
    bad_filter = api.get("projects", params={"is_active": "maybe"})
    assert bad_filter.status_code == 400 and bad_filter.json()["code"] == "validation_error"


def test_members_see_only_assigned_projects(ws: Workspace) -> None:
    hidden = _project(ws, name="Secret")
    _, member_key = ws.add_user("Mia Member")  # assigned to Acme Website only
    member = ws.api(member_key)
    assert [p["id"] for p in member.get("projects").json()["projects"]] == [ws.project_id]
    assert member.get(f"projects/{hidden['id']}").status_code == 404
    assert member.get(f"projects/{hidden['id']}/task_assignments").status_code == 404
    assert member.get(f"projects/{ws.project_id}").status_code == 200
    for r in (
        member.post("projects", json={"client_id": ws.client_id, "name": "Mine"}),
        member.patch(f"projects/{ws.project_id}", json={"name": "Renamed"}),
        member.delete(f"projects/{ws.project_id}"),
        member.post(f"projects/{ws.project_id}/task_assignments", json={"task_id": ws.task_id}),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "authorization_error"
    member_id = member.get("users/me").json()["id"]
    path = f"projects/{ws.project_id}/user_assignments"
    mine = ws.api().get(path, params={"user_id": member_id}).json()["user_assignments"][0]
    paused = ws.api().patch(f"{path}/{mine['id']}", json={"is_active": False})
    assert paused.status_code == 200 and paused.json()["is_active"] is False
    assert member.get(f"projects/{ws.project_id}").status_code == 404
    assert member.get("projects").json()["projects"] == []
    _, manager_key = ws.add_user("Max Manager", roles=["manager"], assign=False)
    manager = ws.api(manager_key)
    assert {p["id"] for p in manager.get("projects").json()["projects"]} == {ws.project_id, hidden["id"]}
    made = manager.post("projects", json={"client_id": ws.client_id, "name": "Managed"})
    assert made.status_code == 201


def test_v1_projects(ws: Workspace) -> None:
    fixed = _project(ws, name="Fixed", is_fixed_fee=True, fee=10000, budget_by="task_fees", budget=9000)
    free = _project(ws, name="Internal", is_billable=False, budget_by="project", budget=40)
    v1_admin = ws.api(dialect="v1")
    rows = {p["name"]: p for p in v1_admin.get("projects").json()["data"]}
    assert set(rows) == {"Acme Website", "Fixed", "Internal"}
    assert rows["Acme Website"]["billing_type"] == "time_and_materials"
    assert rows["Acme Website"]["is_billable"] is True
    assert rows["Fixed"]["billing_type"] == "fixed_fee"
    assert (rows["Fixed"]["budget_amount"], rows["Fixed"]["budget_hours"]) == (9000, None)
    assert rows["Internal"]["billing_type"] == "non_billable" and rows["Internal"]["is_billable"] is False
    assert (rows["Internal"]["budget_hours"], rows["Internal"]["budget_amount"]) == (40, None)
    assert rows["Fixed"]["client_id"] == ws.client_id
    one = v1_admin.get(f"projects/{fixed['id']}")
    assert one.status_code == 200 and one.json()["id"] == fixed["id"]

    _, manager_key = ws.add_user("Max Manager", roles=["manager"])
    # v1 lists the projects the caller is assigned to (administrators: all).
    v1_manager = ws.api(manager_key, dialect="v1")
    assert [p["id"] for p in v1_manager.get("projects").json()["data"]] == [ws.project_id]
    _, member_key = ws.add_user("Mia Member")
    missing = ws.api(member_key, dialect="v1").get(f"projects/{free['id']}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_user_assignments_control_who_may_log(ws: Workspace) -> None:
    api = ws.api()
    mobile = _project(ws, bill_by="People", hourly_rate=100)
    agent_id, agent_key = ws.add_user("bot-7", user_type="agent", assign=False)
    agent = ws.api(agent_key)
    entry = {"project_id": mobile["id"], "task_id": ws.task_id, **ENTRY}
    refused = agent.post("time_entries", json=entry)
    assert refused.status_code == 403 and refused.json()["code"] == "project_not_assigned"
    assert agent.get(f"projects/{mobile['id']}").status_code == 404

    created = api.post(f"projects/{mobile['id']}/user_assignments", json={"user_id": agent_id, "hourly_rate": 60})
    assert created.status_code == 201, created.text
    ua = created.json()
    assert ua["user"] == {"id": agent_id, "name": "bot-7"}
    assert (ua["hourly_rate"], ua["use_default_rates"], ua["is_project_manager"], ua["is_active"]) == (
        60,
        False,
        False,
        True,
    )
    assert ua["project"] == {"id": mobile["id"], "name": "Mobile App", "code": None}
    again = api.post(f"projects/{mobile['id']}/user_assignments", json={"user_id": agent_id})
    assert again.status_code == 409 and again.json()["code"] == "already_exists"

    logged = agent.post("time_entries", json=entry)
    assert logged.status_code == 201, logged.text
    assert logged.json()["billable_rate"] == 60  # the per-person rate on a People-billed project
    assert agent.get(f"projects/{mobile['id']}").status_code == 200

    updated = api.patch(
        f"projects/{mobile['id']}/user_assignments/{ua['id']}", json={"hourly_rate": 70, "is_project_manager": True}
    )
    assert updated.status_code == 200 and updated.json()["hourly_rate"] == 70
    assert updated.json()["is_project_manager"] is True
    assert api.get(f"projects/{mobile['id']}/user_assignments/{ua['id']}").json() == updated.json()
    only_agent = api.get(f"projects/{mobile['id']}/user_assignments", params={"user_id": agent_id}).json()
    assert [u["id"] for u in only_agent["user_assignments"]] == [ua["id"]]

    mine = agent.get("users/me/project_assignments")
    assert mine.status_code == 200, mine.text
    rows = mine.json()["project_assignments"]
    assert [(r["project"]["id"], r["client"]["id"], r["hourly_rate"]) for r in rows] == [
        (mobile["id"], ws.client_id, 70)
    ]
    assert {t["task"]["name"] for t in rows[0]["task_assignments"]} >= {"Development", "Code Review"}
    by_admin = api.get(f"users/{agent_id}/project_assignments").json()["project_assignments"]
    assert [r["id"] for r in by_admin] == [ua["id"]]
    assert agent.get(f"users/{ws.admin_id}/project_assignments").status_code == 403

    assert api.delete(f"projects/{mobile['id']}/user_assignments/{ua['id']}").status_code == 204
    assert agent.post("time_entries", json=entry).status_code == 403
    assert api.get(f"time_entries/{logged.json()['id']}").status_code == 200  # their entries stay
    for body, status, field in (
        ({}, 400, "user_id"),
        ({"user_id": "usr_nope"}, 404, "user_id"),
        ({"user_id": agent_id, "hourly_rate": -1}, 400, "hourly_rate"),
    ):
        r = api.post(f"projects/{mobile['id']}/user_assignments", json=body)
        assert r.status_code == status, r.text
        assert r.json()["field"] == field


def test_task_assignments(ws: Workspace) -> None:
    api = ws.api()
    research = api.post("tasks", json={"name": "Research", "billable_by_default": False}).json()
    path = f"projects/{ws.project_id}/task_assignments"
    created = api.post(path, json={"task_id": research["id"], "hourly_rate": 200})
    assert created.status_code == 201, created.text
    ta = created.json()
    assert ta["task"] == {"id": research["id"], "name": "Research"}
    assert (ta["billable"], ta["hourly_rate"], ta["is_active"]) == (False, 200, True)
    dup = api.post(path, json={"task_id": research["id"]})
    assert dup.status_code == 409 and dup.json()["code"] == "already_exists"
    updated = api.patch(f"{path}/{ta['id']}", json={"billable": True, "hourly_rate": None})
    assert updated.status_code == 200
    assert updated.json()["billable"] is True and updated.json()["hourly_rate"] is None
    assert api.get(f"{path}/{ta['id']}").json() == updated.json()
    listing = api.get(path, params={"per_page": 2}).json()
    assert listing["total_entries"] == 5 and listing["total_pages"] == 3
    assert api.delete(f"{path}/{ta['id']}").status_code == 204
    assert api.get(f"{path}/{ta['id']}").status_code == 404

    dev = next(t for t in api.get(path).json()["task_assignments"] if t["task"]["id"] == ws.task_id)
    logged = api.post("time_entries", json={"project_id": ws.project_id, "task_id": ws.task_id, **ENTRY})
    assert logged.status_code == 201
    refused = api.delete(f"{path}/{dev['id']}")
    assert refused.status_code == 409 and refused.json()["code"] == "task_assignment_has_time"
    old_task = api.post("tasks", json={"name": "Old", "is_active": False}).json()
    for body, status, field in (
        ({}, 400, "task_id"),
        ({"task_id": "tsk_nope"}, 404, "task_id"),
        ({"task_id": old_task["id"]}, 422, "task_id"),
    ):
        r = api.post(path, json=body)
        assert r.status_code == status and r.json()["field"] == field


def test_another_workspace_projects_are_404(ws: Workspace, other_ws: Workspace) -> None:
    theirs = other_ws.api()
    for r in (
        theirs.get(f"projects/{ws.project_id}"),
        theirs.patch(f"projects/{ws.project_id}", json={"name": "X"}),
        theirs.delete(f"projects/{ws.project_id}"),
        theirs.get(f"projects/{ws.project_id}/user_assignments"),
        theirs.get(f"projects/{ws.project_id}/task_assignments"),
        theirs.post(f"projects/{ws.project_id}/task_assignments", json={"task_id": other_ws.task_id}),
        other_ws.api(dialect="v1").get(f"projects/{ws.project_id}"),
    ):
        assert r.status_code == 404, r.text
    mine = ws.api()
    path = f"projects/{ws.project_id}"
    assert mine.post(f"{path}/task_assignments", json={"task_id": other_ws.task_id}).status_code == 404
    assert mine.post(f"{path}/user_assignments", json={"user_id": other_ws.admin_id}).status_code == 404
    assert mine.post("projects", json={"client_id": other_ws.client_id, "name": "X"}).status_code == 404
    their_ta = theirs.get(f"projects/{other_ws.project_id}/task_assignments").json()["task_assignments"][0]
    assert mine.get(f"{path}/task_assignments/{their_ta['id']}").status_code == 404
    assert ws.project_id not in [p["id"] for p in theirs.get("projects").json()["projects"]]

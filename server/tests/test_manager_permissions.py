"""Granular manager permissions (inventory §1.4, ADR 0903) against a real server on both
databases: managers hold them all until an administrator turns one off; each one turned off
refuses exactly its actions with a 403 that says so and writes nothing; bad input is a 400."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.live import Workspace

ALL_ON = {
    "create_projects": True,
    "manage_clients_and_tasks": True,
    "draft_invoices": True,
    "send_invoices": True,
    "edit_team_time": True,
    "withdraw_approvals": True,
}
DAY = "2026-03-06"


def _refused(r: httpx.Response, doing: str) -> None:
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "authorization_error"
    assert r.json()["error_description"] == f"An administrator has not given you permission to {doing}."


def _turn_off(ws: Workspace, user_id: str, *names: str) -> dict[str, Any]:
    r = ws.api().patch(f"users/{user_id}", json={"manager_permissions": dict.fromkeys(names, False)})
    assert r.status_code == 200, r.text
    return r.json()["manager_permissions"]  # type: ignore[no-any-return]


def test_permissions_are_on_by_default_and_shown_for_managers_only(ws: Workspace) -> None:
    manager_id, manager_key = ws.add_user("Max", roles=["manager", "member"])
    member_id, _ = ws.add_user("Mia")
    admin = ws.api()
    assert admin.get(f"users/{manager_id}").json()["manager_permissions"] == ALL_ON
    assert admin.get(f"users/{member_id}").json()["manager_permissions"] is None
    assert admin.get("users/me").json()["manager_permissions"] is None
    assert ws.api(dialect="v1").get(f"users/{manager_id}").json()["manager_permissions"] == ALL_ON
    # A manager with every permission creates projects, clients and tasks as before.
    mgr = ws.api(manager_key)
    assert mgr.post("projects", json={"client_id": ws.client_id, "name": "Allowed"}).status_code == 201
    assert mgr.post("clients", json={"name": "Allowed Co"}).status_code == 201


def test_each_permission_refuses_its_own_actions(ws: Workspace) -> None:
    manager_id, manager_key = ws.add_user("Max", roles=["manager", "member"])
    member_id, member_key = ws.add_user("Mia")
    admin, mgr = ws.api(), ws.api(manager_key)

    # Projects.
    after = _turn_off(ws, manager_id, "create_projects")
    assert after == {**ALL_ON, "create_projects": False}
    _refused(mgr.post("projects", json={"client_id": ws.client_id, "name": "Nope"}), "create projects")
    assert "Nope" not in {p["name"] for p in admin.get("projects").json()["projects"]}
    assert mgr.patch(f"projects/{ws.project_id}", json={"notes": "still editable"}).status_code == 200

    # Clients, contacts and tasks.
    _turn_off(ws, manager_id, "manage_clients_and_tasks")
    _refused(mgr.post("clients", json={"name": "Nope Co"}), "create clients")
    _refused(mgr.patch(f"clients/{ws.client_id}", json={"name": "Renamed"}), "edit clients")
    _refused(mgr.post("contacts", json={"client_id": ws.client_id, "first_name": "Nia"}), "create contacts")
    _refused(mgr.post("tasks", json={"name": "Nope task"}), "create tasks")
    _refused(mgr.patch(f"tasks/{ws.task_id}", json={"name": "Renamed"}), "edit tasks")
    assert admin.get(f"clients/{ws.client_id}").json()["name"] != "Renamed"
    assert mgr.get("clients").status_code == 200  # reading is not a permission

    # Invoices: drafting and sending are separate.
    _turn_off(ws, manager_id, "draft_invoices")
    draft = {"client_id": ws.client_id, "line_items": [{"quantity": 1, "unit_price": 5}]}
    _refused(mgr.post("invoices", json=draft), "create invoices")
    made = admin.post("invoices", json=draft)
    assert made.status_code == 201, made.text
    invoice_id = made.json()["id"]
    _refused(mgr.patch(f"invoices/{invoice_id}", json={"subject": "Mine"}), "edit invoices")
    _turn_off(ws, manager_id, "send_invoices")
    send = {"recipients": [{"name": "Acme AP", "email": "ap@acme.test"}]}
    _refused(mgr.post(f"invoices/{invoice_id}/messages", json=send), "send invoices")
    assert admin.get(f"invoices/{invoice_id}").json()["state"] == "draft"
    assert mgr.get(f"invoices/{invoice_id}").status_code == 200

    # Team time and expenses: reading stays, changing someone else's does not.
    entry = ws.api(member_key).post(
        "time_entries", json={"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": DAY, "hours": 1}
    )
    expense = ws.api(member_key).post(
        "expenses",
        json={"project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "spent_date": DAY, "total_cost": 2},
    )
    assert entry.status_code == 201 and expense.status_code == 201
    _turn_off(ws, manager_id, "edit_team_time")
    eid, xid = entry.json()["id"], expense.json()["id"]
    assert mgr.get(f"time_entries/{eid}").status_code == 200
    _refused(mgr.patch(f"time_entries/{eid}", json={"notes": "edited"}), "edit other people's time")
    _refused(mgr.delete(f"time_entries/{eid}"), "delete other people's time")
    body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": DAY, "hours": 1, "user_id": member_id}
    _refused(mgr.post("time_entries", json=body), "log time for other people")
    _refused(mgr.patch(f"expenses/{xid}", json={"notes": "edited"}), "edit other people's expenses")
    _refused(mgr.delete(f"expenses/{xid}"), "delete other people's expenses")
    assert admin.get(f"time_entries/{eid}").json()["notes"] is None
    own = mgr.post("time_entries", json={**body, "user_id": manager_id})
    assert (
        own.status_code == 201
        and mgr.patch(f"time_entries/{own.json()['id']}", json={"notes": "mine"}).status_code == 200
    )

    # null turns every permission back on.
    reset = admin.patch(f"users/{manager_id}", json={"manager_permissions": None})
    assert reset.status_code == 200 and reset.json()["manager_permissions"] == ALL_ON
    assert mgr.patch(f"time_entries/{eid}", json={"notes": "edited"}).status_code == 200


def test_bad_permission_requests(ws: Workspace) -> None:
    manager_id, manager_key = ws.add_user("Max", roles=["manager", "member"])
    admin = ws.api()

    def bad(body: Any, status: int, code: str, dialect: str = "v2", key: str | None = None) -> None:
        r = ws.api(key, dialect=dialect).patch(f"users/{manager_id}", json=body)
        assert r.status_code == status, r.text
        err = r.json()["error"] if dialect == "v1" else r.json()
        assert err["code"] == code, err
        if status == 400:
            assert err["field"].startswith("manager_permissions"), err

    bad({"manager_permissions": {"fly_planes": False}}, 400, "validation_error")
    bad({"manager_permissions": {"create_projects": "no"}}, 400, "validation_error")
    bad({"manager_permissions": ["create_projects"]}, 400, "validation_error")
    bad({"manager_permissions": {"fly_planes": False}}, 400, "validation_error", dialect="v1")
    # A manager cannot grant themselves anything.
    bad({"manager_permissions": {"create_projects": True}}, 403, "authorization_error", key=manager_key)
    assert admin.get(f"users/{manager_id}").json()["manager_permissions"] == ALL_ON

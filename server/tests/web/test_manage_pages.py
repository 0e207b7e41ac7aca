"""Manage and Projects pages over HTTP against a real server, logged in through the login form
(``admin_web`` / ``web`` from conftest.py carry the session cookie and the CSRF token)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from keito_server.db.models import Client, Contact, ExpenseCategory, Project, Task, TaskAssignment, UserAssignment

from tests.support.live import Workspace

PASSWORD = "correct horse battery staple"


def one(ws: Workspace, model: Any, **where: Any) -> Any:
    from sqlalchemy import select

    def q(s: Any, a: Any) -> Any:
        stmt = select(model).where(model.account_id == ws.account_id)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        row = s.scalars(stmt).first()
        if row is not None:
            s.expunge(row)
        return row

    return ws.run(q)


def member_web(ws: Workspace, web: Any, roles: list[str] | None = None) -> Any:
    # unique per call: the server is shared by the session, and one email in two workspaces
    # would land on the workspace picker instead of the workspace under test
    email = f"{(roles or ['member'])[0]}.manage.{uuid.uuid4().hex[:8]}@example.com"
    ws.add_user("Mia Member", email=email, roles=roles or ["member"])
    r = web.login(email)
    assert r.status_code == 200
    return web


# ── clients and contacts ───────────────────────────────────────────────────────────────


def test_clients_list_create_edit_archive_restore(ws: Workspace, admin_web: Any) -> None:
    page = admin_web.get("/manage/clients")
    assert page.status_code == 200 and "Acme Corp" in page.text

    r = admin_web.post(
        "/manage/clients/new",
        {"name": "Globex Labs", "address": "1 Main St\nSpringfield", "currency": "eur", "payment_terms": "net_15"},
    )
    assert r.status_code == 200 and "Client Globex Labs created." in r.text
    client = one(ws, Client, name="Globex Labs")
    assert client.currency == "EUR" and client.payment_terms == "net_15" and client.address == "1 Main St\nSpringfield"

    r = admin_web.post(f"/manage/clients/{client.id}/edit", {"name": "Globex Research", "currency": "EUR"})
    assert r.status_code == 200 and "Globex Research" in r.text
    assert one(ws, Client, id=client.id).name == "Globex Research"

    r = admin_web.post(f"/manage/clients/{client.id}/archive")
    assert r.status_code == 200 and "archived" in r.text
    assert one(ws, Client, id=client.id).is_active is False
    assert "Globex Research" not in admin_web.get("/manage/clients").text
    assert "Globex Research" in admin_web.get("/manage/clients?status=archived").text

    admin_web.post(f"/manage/clients/{client.id}/restore")
    assert one(ws, Client, id=client.id).is_active is True


def test_client_form_errors_are_inline_and_nothing_is_written(ws: Workspace, admin_web: Any) -> None:
    r = admin_web.post("/manage/clients/new", {"name": "  ", "address": "kept <b>text</b>", "currency": "USD"})
    assert r.status_code == 400
    assert 'id="f-name-error"' in r.text and 'aria-invalid="true"' in r.text
    assert "kept &lt;b&gt;text&lt;/b&gt;" in r.text  # what was typed comes back, escaped
    r = admin_web.post("/manage/clients/new", {"name": "Bad Currency", "currency": "EURO"})
    assert r.status_code == 400 and 'id="f-currency-error"' in r.text
    assert one(ws, Client, name="Bad Currency") is None


def test_contacts_per_client(ws: Workspace, admin_web: Any) -> None:
    r = admin_web.post(
        f"/manage/clients/{ws.client_id}/contacts",
        {"first_name": "Jane", "last_name": "Doe", "title": "CFO", "email": "jane@acme.test"},
    )
    assert r.status_code == 200 and "Contact added." in r.text and "jane@acme.test" in r.text
    contact = one(ws, Contact, first_name="Jane")
    assert contact.client_id == ws.client_id and contact.title == "CFO"

    r = admin_web.post(f"/manage/clients/{ws.client_id}/contacts", {"first_name": "Bob", "email": "not-an-email"})
    assert r.status_code == 400 and 'id="f-email-error"' in r.text
    assert one(ws, Contact, first_name="Bob") is None

    r = admin_web.post(
        f"/manage/clients/{ws.client_id}/contacts/{contact.id}/edit",
        {"first_name": "Janet", "email": "janet@acme.test"},
    )
    assert r.status_code == 200 and one(ws, Contact, id=contact.id).first_name == "Janet"
    admin_web.post(f"/manage/clients/{ws.client_id}/contacts/{contact.id}/delete")
    assert one(ws, Contact, id=contact.id) is None


# ── tasks and expense categories ───────────────────────────────────────────────────────


def test_tasks_create_edit_archive(ws: Workspace, admin_web: Any) -> None:
    page = admin_web.get("/manage/tasks")
    assert page.status_code == 200 and "Development" in page.text and "Default" in page.text
    r = admin_web.post(
        "/manage/tasks",
        {"name": "Research", "default_hourly_rate": "95.50", "billable_by_default": "1", "is_default": ""},
    )
    assert r.status_code == 200 and "Task Research created." in r.text
    task = one(ws, Task, name="Research")
    assert task.default_hourly_rate == Decimal("95.5") and task.billable_by_default and not task.is_default

    r = admin_web.post(
        f"/manage/tasks/{task.id}/edit", {"name": "Research", "default_hourly_rate": "", "is_default": "1"}
    )
    assert r.status_code == 200
    task = one(ws, Task, id=task.id)
    assert task.is_default and not task.billable_by_default and task.default_hourly_rate is None

    r = admin_web.post("/manage/tasks", {"name": "Development"})
    assert r.status_code == 400 and 'id="f-name-error"' in r.text
    r = admin_web.post("/manage/tasks", {"name": "Rated", "default_hourly_rate": "lots"})
    assert r.status_code == 400 and "Default rate must be a number" in r.text

    admin_web.post(f"/manage/tasks/{task.id}/archive")
    assert one(ws, Task, id=task.id).is_active is False
    assert "Research" in admin_web.get("/manage/tasks?status=archived").text


def test_expense_categories_standard_unit_and_builtin(ws: Workspace, admin_web: Any) -> None:
    page = admin_web.get("/manage/expense-categories")
    assert page.status_code == 200
    assert re.search(r"LLM Usage</span>\s*<span class=\"badge badge-builtin\"", page.text)
    assert "Per mile" in page.text

    r = admin_web.post(
        "/manage/expense-categories",
        {"name": "Hotel nights", "kind": "unit", "unit_name": "night", "unit_price": "180", "billable_by_default": "1"},
    )
    assert r.status_code == 200
    cat = one(ws, ExpenseCategory, name="Hotel nights")
    assert cat.unit_name == "night" and cat.unit_price == Decimal(180)

    r = admin_web.post("/manage/expense-categories", {"name": "Parking", "kind": "standard", "unit_price": "9"})
    assert r.status_code == 200
    parking = one(ws, ExpenseCategory, name="Parking")
    assert parking.unit_name is None and parking.unit_price is None and parking.billable_by_default is False

    r = admin_web.post("/manage/expense-categories", {"name": "Tolls", "kind": "unit", "unit_price": "2"})
    assert r.status_code == 400 and 'id="f-unit_name-error"' in r.text
    assert one(ws, ExpenseCategory, name="Tolls") is None

    llm = one(ws, ExpenseCategory, builtin="llm_usage")
    edit = admin_web.get(f"/manage/expense-categories/{llm.id}/edit")
    assert edit.status_code == 200 and "priced from its model" in edit.text.replace("\n", " ")
    assert f'action="/manage/expense-categories/{llm.id}/archive"' not in page.text


# ── projects ───────────────────────────────────────────────────────────────────────────


def test_project_create_with_billing_and_budget(ws: Workspace, admin_web: Any) -> None:
    form = admin_web.get(f"/projects/new?client_id={ws.client_id}")
    assert form.status_code == 200
    r = admin_web.post(
        "/projects/new",
        {
            "client_id": ws.client_id,
            "name": "Mobile App",
            "code": "ACME-APP",
            "bill_by": "People",
            "hourly_rate": "140",
            "budget_by": "project",
            "budget": "120",
            "cost_budget": "9000",
            "starts_on": "2026-03-01",
            "ends_on": "2026-06-30",
            "notes": "Phase <1>",
        },
    )
    assert r.status_code == 200, r.text[:500]
    p = one(ws, Project, name="Mobile App")
    assert (p.code, p.bill_by, p.hourly_rate, p.budget_by, p.budget, p.cost_budget) == (
        "ACME-APP",
        "People",
        Decimal(140),
        "project",
        Decimal(120),
        Decimal(9000),
    )
    assert str(p.starts_on) == "2026-03-01" and p.notes == "Phase <1>"
    assert "Phase &lt;1&gt;" in r.text


def test_project_form_errors_inline(ws: Workspace, admin_web: Any) -> None:
    r = admin_web.post("/projects/new", {"client_id": ws.client_id, "name": "", "budget": "x"})
    assert r.status_code == 400 and ('id="f-name-error"' in r.text or 'id="f-budget-error"' in r.text)
    r = admin_web.post(
        "/projects/new",
        {"client_id": ws.client_id, "name": "Backwards", "starts_on": "2026-06-01", "ends_on": "2026-01-01"},
    )
    assert r.status_code == 400 and "f-ends_on-error" in r.text
    assert one(ws, Project, name="Backwards") is None


def test_project_team_tasks_budget_and_archive(ws: Workspace, admin_web: Any) -> None:
    user_id, _key = ws.add_user("Sam Dev", assign=False)
    r = admin_web.post(f"/projects/{ws.project_id}/team", {"user_id": user_id, "hourly_rate": "175"})
    assert r.status_code == 200, r.text[:500]
    ua = one(ws, UserAssignment, project_id=ws.project_id, user_id=user_id)
    assert ua.is_active and ua.hourly_rate == Decimal(175)

    task = one(ws, Task, name="Design")
    ta = one(ws, TaskAssignment, project_id=ws.project_id, task_id=task.id)
    r = admin_web.post(f"/projects/{ws.project_id}/tasks/{ta.id}", {"billable": "", "hourly_rate": "80"})
    assert r.status_code == 200
    ta = one(ws, TaskAssignment, id=ta.id)
    assert ta.billable is False and ta.hourly_rate == Decimal(80)

    # Budget progress: 10 h budget, 2.5 h logged at 150 -> 25 % used.
    admin_web.post(
        f"/projects/{ws.project_id}/edit",
        {
            "client_id": ws.client_id,
            "name": "Acme Website",
            "bill_by": "Project",
            "hourly_rate": "150",
            "budget_by": "project",
            "budget": "10",
        },
    )
    api = ws.api()
    assert (
        api.post(
            "time_entries",
            {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": "2026-03-02", "hours": 2.5},
        ).status_code
        == 201
    )
    page = admin_web.get(f"/projects/{ws.project_id}")
    assert page.status_code == 200
    assert "Sam Dev" in page.text and "Design" in page.text
    assert "2:30 of 10:00 hours" in page.text and 'style="width: 25.0%"' in page.text

    admin_web.post(f"/projects/{ws.project_id}/archive")
    assert one(ws, Project, id=ws.project_id).is_active is False
    admin_web.post(f"/projects/{ws.project_id}/restore")
    assert one(ws, Project, id=ws.project_id).is_active is True


# ── roles ──────────────────────────────────────────────────────────────────────────────


def test_members_get_403_on_manage_pages(ws: Workspace, web: Any) -> None:
    member_web(ws, web)
    for path in (
        "/manage/clients",
        "/manage/tasks",
        "/manage/expense-categories",
        f"/manage/clients/{ws.client_id}",
        "/projects/new",
    ):
        r = web.get(path)
        assert r.status_code == 403, path
        assert "Only managers and administrators" in r.text
    r = web.post("/manage/clients/new", {"name": "Sneaky"})
    assert r.status_code == 403
    assert one(ws, Client, name="Sneaky") is None
    # Members still see the projects they are on, read-only.
    r = web.get("/projects")
    assert r.status_code == 200 and "Acme Website" in r.text and "New project" not in r.text


def test_managers_can_manage(ws: Workspace, web: Any) -> None:
    member_web(ws, web, roles=["manager"])
    assert web.get("/manage/clients").status_code == 200
    r = web.post("/manage/clients/new", {"name": "Managed Co", "currency": "USD"})
    assert r.status_code == 200 and one(ws, Client, name="Managed Co") is not None


def test_forms_without_csrf_are_refused(ws: Workspace, admin_web: Any) -> None:
    r = admin_web.post("/manage/clients/new", {"name": "No Token"}, csrf=False)
    assert r.status_code == 403
    assert one(ws, Client, name="No Token") is None


def test_other_workspace_client_is_404(ws: Workspace, other_ws: Workspace, admin_web: Any) -> None:
    assert admin_web.get(f"/manage/clients/{other_ws.client_id}").status_code == 404
    assert admin_web.get(f"/projects/{other_ws.project_id}").status_code == 404


def test_members_see_a_project_without_rates_or_a_hidden_budget(ws: Workspace, admin_web: Any, web: Any) -> None:
    edit = {
        "client_id": ws.client_id,
        "name": "Acme Website",
        "bill_by": "Project",
        "hourly_rate": "150",
        "budget_by": "project",
        "budget": "40",
    }
    assert admin_web.post(f"/projects/{ws.project_id}/edit", edit).status_code == 200
    member_web(ws, web)
    page = web.get(f"/projects/{ws.project_id}").text
    assert "Acme Website" in page and "150.00" not in page and 'id="budget-title"' not in page
    assert f'action="/projects/{ws.project_id}/edit"' not in page and "Edit project" not in page

    assert admin_web.post(f"/projects/{ws.project_id}/edit", {**edit, "show_budget_to_all": "1"}).status_code == 200
    assert one(ws, Project, id=ws.project_id).show_budget_to_all is True
    page = web.get(f"/projects/{ws.project_id}").text
    assert 'id="budget-title"' in page and "Your own work on this project." in page and "150.00" not in page
    assert web.post(f"/projects/{ws.project_id}/archive").status_code == 403

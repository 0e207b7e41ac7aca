"""Manage: clients (with their contacts), workspace-global tasks and expense categories.
Managers and administrators only (members get the 403 page); the services check again.

Forms that fail validation are rendered again with what was typed and the message next to
the field it concerns (status 400), never a bare redirect. The small form parsers here are
shared by the Projects and Expenses pages.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from keito_server.domain import permissions
from keito_server.domain.errors import KeitoError, ValidationError
from keito_server.services import clients, contacts, expense_categories, projects, tasks
from keito_server.services.clients import PAYMENT_TERMS, ClientFilters
from keito_server.services.contacts import ContactFilters
from keito_server.services.context import Actor
from keito_server.services.expense_categories import CategoryFilters
from keito_server.services.paging import Page
from keito_server.services.projects import ProjectFilters
from keito_server.services.tasks import TaskFilters
from keito_server.web.deps import ManagerActor, SessionDep, redirect, render

router = APIRouter(prefix="/manage")

# Lists on these pages are small (a workspace's clients, tasks, categories): one page of this many.
ALL = Page(offset=0, limit=2000, with_total=False)
INVALID = 400


# ── form parsing (shared with projects.py and expenses.py) ─────────────────────────────


def text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def checked(value: str | None) -> bool:
    return bool(value and value.strip() not in ("", "0", "false", "off"))


def decimal(value: str | None, field: str, label: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal | None:
    """An optional exact amount typed in a form (``1,250.50`` is accepted)."""
    raw = (value or "").strip().replace(",", "")
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"{label} must be a number, such as 120 or 99.50.", field=field) from None
    if not amount.is_finite():
        raise ValidationError(f"{label} must be a number, such as 120 or 99.50.", field=field)
    if minimum is not None and amount < minimum:
        raise ValidationError(f"{label} cannot be negative.", field=field)
    return amount


def day(value: str | None, field: str, label: str) -> date | None:
    raw = (value or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{label} must be a date (YYYY-MM-DD).", field=field) from None


# Service messages name fields as the API spells them (``ends_on``); forms show their labels.
FIELD_WORDS = {
    "starts_on": "start date",
    "ends_on": "end date",
    "total_cost": "amount",
    "unit_price": "unit price",
    "unit_name": "unit name",
    "first_name": "first name",
    "payment_terms": "payment terms",
    "payment_days": "payment days",
    "user_id": "person",
    "task_id": "task",
    "client_id": "client",
    "project_id": "project",
    "expense_category_id": "category",
    "hourly_rate": "hourly rate",
    "cost_budget": "cost budget",
    "budget_by": "budget type",
    "bill_by": "bill by",
    "is_active": "active",
}
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def readable(message: str) -> str:
    """``ends_on must be on or after starts_on.`` -> ``The end date must be on or after the start date.``"""
    text = _SNAKE.sub(lambda m: FIELD_WORDS.get(m.group(0), m.group(0).replace("_", " ")), message)
    return text[:1].upper() + text[1:]


def errors_of(exc: KeitoError, fallback: str = "_form") -> dict[str, str]:
    return {exc.field or fallback: readable(exc.message)}


def form_values(request_form: Any) -> dict[str, Any]:
    return {k: v for k, v in request_form.items() if k != "csrf_token" and isinstance(v, str)}


def _tab(current: str) -> dict[str, Any]:
    return {"tab": current}


# ── hub ────────────────────────────────────────────────────────────────────────────────


@router.get("")
def manage_home(actor: ManagerActor) -> Response:
    return redirect("/manage/clients")


# ── clients ────────────────────────────────────────────────────────────────────────────

CLIENT_FIELDS = ("name", "address", "currency", "payment_terms")
PAYMENT_TERM_LABELS = {
    "upon_receipt": "Upon receipt",
    "net_15": "Net 15",
    "net_30": "Net 30",
    "net_45": "Net 45",
    "net_60": "Net 60",
    "custom": "Custom",
}


def _client_data(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": form.get("name", ""),
        "address": text(form.get("address")),
        "currency": text(form.get("currency")),
        "payment_terms": text(form.get("payment_terms")),
    }


def _client_form(
    request: Request, actor: Actor, form: dict[str, Any], errors: dict[str, str], client: Any = None
) -> Response:
    terms = [(t, PAYMENT_TERM_LABELS.get(t, t)) for t in PAYMENT_TERMS]
    ctx = {"form": form, "errors": errors, "client": client, "payment_terms": terms, **_tab("clients")}
    return render(request, "manage/client_form.html", ctx, status=INVALID if errors else 200)


@router.get("/clients")
def client_list(request: Request, session: SessionDep, actor: ManagerActor, status: str = "active") -> Response:
    archived = status == "archived"
    rows, _ = clients.list_clients(session, actor, ClientFilters(is_active=not archived), ALL)
    counts = _project_counts(session, actor)
    return render(
        request,
        "manage/clients.html",
        {"clients": rows, "archived": archived, "counts": counts, **_tab("clients")},
    )


def _project_counts(session: Any, actor: Actor) -> dict[str, int]:
    views, _ = projects.list_projects(session, actor, ProjectFilters(is_active=True), ALL)
    counts: dict[str, int] = {}
    for v in views:
        counts[v.project.client_id] = counts.get(v.project.client_id, 0) + 1
    return counts


@router.get("/clients/new")
def client_new(request: Request, actor: ManagerActor) -> Response:
    actor.require_manager("create clients", permissions.MANAGE_CLIENTS_AND_TASKS)
    return _client_form(request, actor, {"currency": actor.account.currency, "payment_terms": "net_30"}, {})


@router.post("/clients/new")
async def client_create(request: Request, session: SessionDep, actor: ManagerActor) -> Response:
    actor.require_manager("create clients", permissions.MANAGE_CLIENTS_AND_TASKS)
    form = form_values(await request.form())
    try:
        client = clients.create_client(session, actor, _client_data(form))
    except KeitoError as exc:
        session.rollback()
        return _client_form(request, actor, form, errors_of(exc))
    return redirect(f"/manage/clients/{client.id}", request, flash=f"Client {client.name} created.")


@router.get("/clients/{client_id}")
def client_detail(request: Request, session: SessionDep, actor: ManagerActor, client_id: str) -> Response:
    return _client_page(request, session, actor, client_id, {}, {})


def _client_page(
    request: Request, session: Any, actor: Actor, client_id: str, form: dict[str, Any], errors: dict[str, str]
) -> Response:
    client = clients.get_client(session, actor, client_id)
    people, _ = contacts.list_contacts(session, actor, ContactFilters(client_id=client.id), ALL)
    client_projects, _ = projects.list_projects(
        session, actor, ProjectFilters(is_active=None, client_id=client.id), ALL
    )
    ctx = {
        "client": client,
        "contacts": [c.contact for c in people],
        "projects": client_projects,
        "form": form,
        "errors": errors,
        "terms": PAYMENT_TERM_LABELS,
        **_tab("clients"),
    }
    return render(request, "manage/client.html", ctx, status=INVALID if errors else 200)


@router.get("/clients/{client_id}/edit")
def client_edit(request: Request, session: SessionDep, actor: ManagerActor, client_id: str) -> Response:
    client = clients.get_client(session, actor, client_id)
    form = {k: getattr(client, k) for k in CLIENT_FIELDS}
    return _client_form(request, actor, form, {}, client)


@router.post("/clients/{client_id}/edit")
async def client_update(request: Request, session: SessionDep, actor: ManagerActor, client_id: str) -> Response:
    client = clients.get_client(session, actor, client_id)
    form = form_values(await request.form())
    try:
        clients.update_client(session, actor, client_id, _client_data(form))
    except KeitoError as exc:
        session.rollback()
        return _client_form(request, actor, form, errors_of(exc), client)
    return redirect(f"/manage/clients/{client_id}", request, flash="Client saved.")


@router.post("/clients/{client_id}/archive")
def client_archive(request: Request, session: SessionDep, actor: ManagerActor, client_id: str) -> Response:
    client = clients.update_client(session, actor, client_id, {"is_active": False})
    return redirect("/manage/clients", request, flash=f"{client.name} archived. Find it under Archived.")


@router.post("/clients/{client_id}/restore")
def client_restore(request: Request, session: SessionDep, actor: ManagerActor, client_id: str) -> Response:
    client = clients.update_client(session, actor, client_id, {"is_active": True})
    return redirect(f"/manage/clients/{client_id}", request, flash=f"{client.name} restored.")


# ── contacts ───────────────────────────────────────────────────────────────────────────

CONTACT_FIELDS = ("first_name", "last_name", "title", "email", "phone_office", "phone_mobile", "fax")


def _contact_data(form: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {k: text(form.get(k)) for k in CONTACT_FIELDS}
    data["first_name"] = form.get("first_name", "")
    return data


@router.post("/clients/{client_id}/contacts")
async def contact_create(request: Request, session: SessionDep, actor: ManagerActor, client_id: str) -> Response:
    form = form_values(await request.form())
    try:
        contacts.create_contact(session, actor, {"client_id": client_id, **_contact_data(form)})
    except KeitoError as exc:
        session.rollback()
        return _client_page(request, session, actor, client_id, form, errors_of(exc))
    return redirect(f"/manage/clients/{client_id}", request, flash="Contact added.")


@router.get("/clients/{client_id}/contacts/{contact_id}/edit")
def contact_edit(
    request: Request, session: SessionDep, actor: ManagerActor, client_id: str, contact_id: str
) -> Response:
    view = contacts.get_contact(session, actor, contact_id)
    form = {k: getattr(view.contact, k) for k in CONTACT_FIELDS}
    ctx = {"contact": view.contact, "client_name": view.client_name, "form": form, "errors": {}, **_tab("clients")}
    return render(request, "manage/contact_form.html", ctx)


@router.post("/clients/{client_id}/contacts/{contact_id}/edit")
async def contact_update(
    request: Request, session: SessionDep, actor: ManagerActor, client_id: str, contact_id: str
) -> Response:
    view = contacts.get_contact(session, actor, contact_id)
    form = form_values(await request.form())
    try:
        contacts.update_contact(session, actor, contact_id, _contact_data(form))
    except KeitoError as exc:
        session.rollback()
        ctx = {"contact": view.contact, "client_name": view.client_name, "form": form, "errors": errors_of(exc)}
        return render(request, "manage/contact_form.html", {**ctx, **_tab("clients")}, status=INVALID)
    return redirect(f"/manage/clients/{view.contact.client_id}", request, flash="Contact saved.")


@router.post("/clients/{client_id}/contacts/{contact_id}/delete")
def contact_delete(
    request: Request, session: SessionDep, actor: ManagerActor, client_id: str, contact_id: str
) -> Response:
    view = contacts.get_contact(session, actor, contact_id)
    contacts.delete_contact(session, actor, contact_id)
    return redirect(f"/manage/clients/{view.contact.client_id}", request, flash="Contact removed.")


# ── tasks ──────────────────────────────────────────────────────────────────────────────


def _task_data(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": form.get("name", ""),
        "billable_by_default": checked(form.get("billable_by_default")),
        "is_default": checked(form.get("is_default")),
        "default_hourly_rate": decimal(form.get("default_hourly_rate"), "default_hourly_rate", "Default rate"),
    }


def _task_page(
    request: Request, session: Any, actor: Actor, form: dict[str, Any], errors: dict[str, str], status: str = "active"
) -> Response:
    archived = status == "archived"
    rows, _ = tasks.list_tasks(session, actor, TaskFilters(is_active=not archived), ALL)
    ctx = {"tasks": rows, "archived": archived, "form": form, "errors": errors, **_tab("tasks")}
    return render(request, "manage/tasks.html", ctx, status=INVALID if errors else 200)


@router.get("/tasks")
def task_list(request: Request, session: SessionDep, actor: ManagerActor, status: str = "active") -> Response:
    return _task_page(request, session, actor, {"billable_by_default": "1"}, {}, status)


@router.post("/tasks")
async def task_create(request: Request, session: SessionDep, actor: ManagerActor) -> Response:
    form = form_values(await request.form())
    try:
        task = tasks.create_task(session, actor, _task_data(form))
    except KeitoError as exc:
        session.rollback()
        return _task_page(request, session, actor, form, errors_of(exc))
    return redirect("/manage/tasks", request, flash=f"Task {task.name} created.")


@router.get("/tasks/{task_id}/edit")
def task_edit(request: Request, session: SessionDep, actor: ManagerActor, task_id: str) -> Response:
    task = tasks.get_task(session, actor, task_id)
    form = {
        "name": task.name,
        "billable_by_default": task.billable_by_default,
        "is_default": task.is_default,
        "default_hourly_rate": task.default_hourly_rate,
    }
    return render(request, "manage/task_form.html", {"task": task, "form": form, "errors": {}, **_tab("tasks")})


@router.post("/tasks/{task_id}/edit")
async def task_update(request: Request, session: SessionDep, actor: ManagerActor, task_id: str) -> Response:
    task = tasks.get_task(session, actor, task_id)
    form = form_values(await request.form())
    try:
        tasks.update_task(session, actor, task_id, _task_data(form))
    except KeitoError as exc:
        session.rollback()
        ctx = {"task": task, "form": form, "errors": errors_of(exc), **_tab("tasks")}
        return render(request, "manage/task_form.html", ctx, status=INVALID)
    return redirect("/manage/tasks", request, flash="Task saved.")


@router.post("/tasks/{task_id}/archive")
def task_archive(request: Request, session: SessionDep, actor: ManagerActor, task_id: str) -> Response:
    task = tasks.update_task(session, actor, task_id, {"is_active": False})
    return redirect("/manage/tasks", request, flash=f"Task {task.name} archived.")


@router.post("/tasks/{task_id}/restore")
def task_restore(request: Request, session: SessionDep, actor: ManagerActor, task_id: str) -> Response:
    task = tasks.update_task(session, actor, task_id, {"is_active": True})
    return redirect("/manage/tasks?status=archived", request, flash=f"Task {task.name} restored.")


# ── expense categories ─────────────────────────────────────────────────────────────────


def _category_data(form: dict[str, Any], category: Any = None) -> dict[str, Any]:
    unit_based = form.get("kind") == "unit"
    data: dict[str, Any] = {
        "name": form.get("name", ""),
        "billable_by_default": checked(form.get("billable_by_default")),
    }
    if category is not None and category.builtin:
        data["name"] = category.name  # the built-in category keeps its name and unit
    else:
        data["unit_name"] = text(form.get("unit_name")) if unit_based else None
    price = (
        decimal(form.get("unit_price"), "unit_price", "Unit price")
        if unit_based or (category and category.builtin)
        else None
    )
    if unit_based and not data.get("unit_name") and not (category and category.builtin):
        raise ValidationError("A unit-based category needs a unit name, such as mile or hour.", field="unit_name")
    data["unit_price"] = price
    return data


def _category_rows(session: Any, actor: Actor, archived: bool) -> list[Any]:
    rows, _ = expense_categories.list_categories(session, actor, CategoryFilters(is_active=not archived), ALL)
    return sorted(rows, key=lambda c: (c.builtin is None, c.name.lower()))


def _category_page(
    request: Request, session: Any, actor: Actor, form: dict[str, Any], errors: dict[str, str], status: str = "active"
) -> Response:
    archived = status == "archived"
    ctx = {
        "categories": _category_rows(session, actor, archived),
        "archived": archived,
        "form": form,
        "errors": errors,
        **_tab("categories"),
    }
    return render(request, "manage/categories.html", ctx, status=INVALID if errors else 200)


@router.get("/expense-categories")
def category_list(request: Request, session: SessionDep, actor: ManagerActor, status: str = "active") -> Response:
    return _category_page(request, session, actor, {"kind": "standard", "billable_by_default": "1"}, {}, status)


@router.post("/expense-categories")
async def category_create(request: Request, session: SessionDep, actor: ManagerActor) -> Response:
    form = form_values(await request.form())
    try:
        category = expense_categories.create_category(session, actor, _category_data(form))
    except KeitoError as exc:
        session.rollback()
        return _category_page(request, session, actor, form, errors_of(exc))
    return redirect("/manage/expense-categories", request, flash=f"Category {category.name} created.")


@router.get("/expense-categories/{category_id}/edit")
def category_edit(request: Request, session: SessionDep, actor: ManagerActor, category_id: str) -> Response:
    category = expense_categories.get_category(session, actor, category_id)
    form = {
        "name": category.name,
        "kind": "unit" if category.unit_name else "standard",
        "unit_name": category.unit_name,
        "unit_price": category.unit_price,
        "billable_by_default": category.billable_by_default,
    }
    ctx = {"category": category, "form": form, "errors": {}, **_tab("categories")}
    return render(request, "manage/category_form.html", ctx)


@router.post("/expense-categories/{category_id}/edit")
async def category_update(request: Request, session: SessionDep, actor: ManagerActor, category_id: str) -> Response:
    category = expense_categories.get_category(session, actor, category_id)
    form = form_values(await request.form())
    try:
        expense_categories.update_category(session, actor, category_id, _category_data(form, category))
    except KeitoError as exc:
        session.rollback()
        ctx = {"category": category, "form": form, "errors": errors_of(exc), **_tab("categories")}
        return render(request, "manage/category_form.html", ctx, status=INVALID)
    return redirect("/manage/expense-categories", request, flash="Category saved. The change applies to new expenses.")


@router.post("/expense-categories/{category_id}/archive")
def category_archive(request: Request, session: SessionDep, actor: ManagerActor, category_id: str) -> Response:
    category = expense_categories.update_category(session, actor, category_id, {"is_active": False})
    return redirect("/manage/expense-categories", request, flash=f"Category {category.name} archived.")


@router.post("/expense-categories/{category_id}/restore")
def category_restore(request: Request, session: SessionDep, actor: ManagerActor, category_id: str) -> Response:
    category = expense_categories.update_category(session, actor, category_id, {"is_active": True})
    return redirect("/manage/expense-categories?status=archived", request, flash=f"Category {category.name} restored.")

"""Projects: the list (members see the projects they are on), the project page with budget
progress, team (per-person rates) and tasks (billable flag and rate per project), and the
create/edit forms with billing and budget fields. Writes are for managers and administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from keito_server.domain import permissions
from keito_server.domain.errors import KeitoError, ValidationError
from keito_server.domain.rates import BILL_BY, BUDGET_BY
from keito_server.domain.timers import local_today
from keito_server.services import clients, projects, reports, tasks, users
from keito_server.services.clients import ClientFilters
from keito_server.services.context import Actor
from keito_server.services.projects import ProjectFilters
from keito_server.services.tasks import TaskFilters
from keito_server.services.users import UserFilters
from keito_server.web.deps import CurrentWebActor, ManagerActor, SessionDep, redirect, render
from keito_server.web.pages.manage import ALL, INVALID, checked, day, decimal, errors_of, form_values, text
from keito_server.web.pages.reports import month_bounds

router = APIRouter(prefix="/projects")

BILL_BY_LABELS = {
    "Project": "Project hourly rate",
    "Tasks": "Task hourly rates",
    "People": "Person hourly rates",
    "none": "Non-billable",
}
BUDGET_BY_LABELS = {
    "none": "No budget",
    "project": "Total project hours",
    "project_cost": "Total project fees",
    "task": "Hours per task",
    "task_fees": "Fees per task",
    "person": "Hours per person",
}
# Share of a budget at which the bar turns amber (the product's default alert threshold).
WARN_PERCENT = Decimal(80)
EDIT_FIELDS = (
    "client_id",
    "name",
    "code",
    "bill_by",
    "hourly_rate",
    "fee",
    "is_fixed_fee",
    "budget_by",
    "budget",
    "budget_is_monthly",
    "cost_budget",
    "cost_budget_include_expenses",
    "show_budget_to_all",
    "notify_when_over_budget",
    "over_budget_notification_percentage",
    "starts_on",
    "ends_on",
    "notes",
)


def _project_data(form: dict[str, Any]) -> dict[str, Any]:
    bill_by = form.get("bill_by") or "Project"
    return {
        "client_id": form.get("client_id", ""),
        "name": form.get("name", ""),
        "code": text(form.get("code")),
        "bill_by": bill_by,
        "is_billable": bill_by != "none",
        "hourly_rate": decimal(form.get("hourly_rate"), "hourly_rate", "Hourly rate"),
        "is_fixed_fee": checked(form.get("is_fixed_fee")),
        "fee": decimal(form.get("fee"), "fee", "Fixed fee"),
        "budget_by": form.get("budget_by") or "none",
        "budget": decimal(form.get("budget"), "budget", "Budget"),
        "budget_is_monthly": checked(form.get("budget_is_monthly")),
        "cost_budget": decimal(form.get("cost_budget"), "cost_budget", "Cost budget"),
        "cost_budget_include_expenses": checked(form.get("cost_budget_include_expenses")),
        "show_budget_to_all": checked(form.get("show_budget_to_all")),
        "notify_when_over_budget": checked(form.get("notify_when_over_budget")),
        "over_budget_notification_percentage": decimal(
            form.get("over_budget_notification_percentage"), "over_budget_notification_percentage", "Alert threshold"
        ),
        "starts_on": day(form.get("starts_on"), "starts_on", "Start date"),
        "ends_on": day(form.get("ends_on"), "ends_on", "End date"),
        "notes": text(form.get("notes")),
    }


def _form_page(
    request: Request, session: Any, actor: Actor, form: dict[str, Any], errors: dict[str, str], project: Any = None
) -> Response:
    client_rows, _ = clients.list_clients(session, actor, ClientFilters(is_active=True), ALL)
    ctx = {
        "form": form,
        "errors": errors,
        "project": project,
        "client_options": [(c.id, c.name) for c in client_rows],
        "bill_by_options": [(b, BILL_BY_LABELS[b]) for b in BILL_BY],
        "budget_by_options": [(b, BUDGET_BY_LABELS[b]) for b in BUDGET_BY],
    }
    return render(request, "manage/project_form.html", ctx, status=INVALID if errors else 200)


# ── list ───────────────────────────────────────────────────────────────────────────────


@router.get("")
def project_list(request: Request, session: SessionDep, actor: CurrentWebActor, status: str = "active") -> Response:
    archived = status == "archived"
    rows, _ = projects.list_projects(session, actor, ProjectFilters(is_active=not archived), ALL)
    groups: dict[str, list[Any]] = {}
    for v in sorted(rows, key=lambda v: (v.client_name.lower(), v.project.name.lower())):
        groups.setdefault(v.client_name, []).append(v)
    ctx = {"groups": groups, "archived": archived, "count": len(rows), "bill_by": BILL_BY_LABELS}
    return render(request, "manage/projects.html", ctx)


@router.get("/new")
def project_new(request: Request, session: SessionDep, actor: ManagerActor, client_id: str = "") -> Response:
    actor.require_manager("create projects", permissions.CREATE_PROJECTS)
    form = {
        "client_id": client_id,
        "bill_by": "Project",
        "budget_by": "none",
        "over_budget_notification_percentage": WARN_PERCENT,
    }
    return _form_page(request, session, actor, form, {})


@router.post("/new")
async def project_create(request: Request, session: SessionDep, actor: ManagerActor) -> Response:
    actor.require_manager("create projects", permissions.CREATE_PROJECTS)
    form = form_values(await request.form())
    try:
        project = projects.create_project(session, actor, _project_data(form))
    except KeitoError as exc:
        session.rollback()
        return _form_page(request, session, actor, form, errors_of(exc))
    return redirect(f"/projects/{project.id}", request, flash=f"Project {project.name} created.")


# ── one project ────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Meter:
    """One budget bar: what is used of what, in hours or money."""

    label: str
    used: Decimal
    budget: Decimal
    kind: str  # "hours" | "money"

    @property
    def percent(self) -> Decimal:
        if self.budget <= 0:
            return Decimal(0)
        return (self.used * 100 / self.budget).quantize(Decimal("0.1"))

    @property
    def width(self) -> Decimal:
        return min(self.percent, Decimal(100))

    @property
    def state(self) -> str:
        return "over" if self.percent > 100 else "warn" if self.percent >= WARN_PERCENT else ""

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.used


def budget_meters(project: Any, usage: reports.ProjectUsage) -> list[Meter]:
    meters = []
    if project.budget is not None and project.budget_by in ("project", "task", "person"):
        meters.append(Meter("Hours", usage.hours, project.budget, "hours"))
    elif project.budget is not None and project.budget_by in ("project_cost", "task_fees"):
        used = usage.billable_amount + (usage.billable_expense_total if project.cost_budget_include_expenses else 0)
        meters.append(Meter("Fees", used, project.budget, "money"))
    if project.cost_budget is not None:
        used = usage.cost_amount + (usage.expense_total if project.cost_budget_include_expenses else 0)
        meters.append(Meter("Internal cost", used, project.cost_budget, "money"))
    return meters


def _project_page(
    request: Request,
    session: Any,
    actor: Actor,
    project_id: str,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    view = projects.get_project(session, actor, project_id)
    p = view.project
    today = local_today(actor.account.timezone)
    period = month_bounds(today) if p.budget_is_monthly else (None, None)
    usage = reports.project_usage(session, actor, p.id, date_from=period[0], date_to=period[1])
    team, _ = projects.list_user_assignments(session, actor, p.id, ALL, is_active=True)
    task_rows, _ = projects.list_task_assignments(session, actor, p.id, ALL)
    ctx: dict[str, Any] = {
        "v": view,
        "p": p,
        "usage": usage,
        "meters": budget_meters(p, usage),
        "monthly": p.budget_is_monthly,
        "team": team,
        "task_rows": task_rows,
        "bill_by": BILL_BY_LABELS,
        "budget_by": BUDGET_BY_LABELS,
        "currency": view.client_currency or actor.account.currency,
        "errors": errors or {},
        "form": form or {},
    }
    if actor.is_manager:
        on_team = {a.assignment.user_id for a in team}
        on_project = {t.assignment.task_id for t in task_rows}
        people, _ = users.list_users(session, actor, UserFilters(is_active=True), ALL)
        all_tasks, _ = tasks.list_tasks(session, actor, TaskFilters(is_active=True), ALL)
        ctx["user_options"] = [
            (u.user.id, u.user.name + (" (agent)" if u.user.user_type == "agent" else ""))
            for u in people
            if u.user.id not in on_team
        ]
        ctx["task_options"] = [(t.id, t.name) for t in all_tasks if t.id not in on_project]
    return render(request, "manage/project.html", ctx, status=INVALID if errors else 200)


@router.get("/{project_id}")
def project_detail(request: Request, session: SessionDep, actor: CurrentWebActor, project_id: str) -> Response:
    return _project_page(request, session, actor, project_id)


@router.get("/{project_id}/edit")
def project_edit(request: Request, session: SessionDep, actor: ManagerActor, project_id: str) -> Response:
    p = projects.get_project(session, actor, project_id).project
    form = {k: getattr(p, k) for k in EDIT_FIELDS}
    return _form_page(request, session, actor, form, {}, p)


@router.post("/{project_id}/edit")
async def project_update(request: Request, session: SessionDep, actor: ManagerActor, project_id: str) -> Response:
    p = projects.get_project(session, actor, project_id).project
    form = form_values(await request.form())
    try:
        projects.update_project(session, actor, project_id, _project_data(form))
    except KeitoError as exc:
        session.rollback()
        return _form_page(request, session, actor, form, errors_of(exc), p)
    return redirect(f"/projects/{project_id}", request, flash="Project saved.")


@router.post("/{project_id}/archive")
def project_archive(request: Request, session: SessionDep, actor: ManagerActor, project_id: str) -> Response:
    view = projects.update_project(session, actor, project_id, {"is_active": False})
    return redirect(f"/projects/{project_id}", request, flash=f"{view.project.name} archived.")


@router.post("/{project_id}/restore")
def project_restore(request: Request, session: SessionDep, actor: ManagerActor, project_id: str) -> Response:
    view = projects.update_project(session, actor, project_id, {"is_active": True})
    return redirect(f"/projects/{project_id}", request, flash=f"{view.project.name} restored.")


# ── team ───────────────────────────────────────────────────────────────────────────────


def _assignment_rate(form: dict[str, Any]) -> dict[str, Any]:
    rate = decimal(form.get("hourly_rate"), "hourly_rate", "Hourly rate")
    return {"hourly_rate": rate, "use_default_rates": rate is None}


@router.post("/{project_id}/team")
async def team_add(request: Request, session: SessionDep, actor: ManagerActor, project_id: str) -> Response:
    form = form_values(await request.form())
    try:
        if not form.get("user_id"):
            raise ValidationError("Choose a person to add.", field="user_id")
        data = {
            "user_id": form["user_id"],
            "is_project_manager": checked(form.get("is_project_manager")),
            **_assignment_rate(form),
        }
        view = projects.create_user_assignment(session, actor, project_id, data)
    except KeitoError as exc:
        session.rollback()
        return _project_page(request, session, actor, project_id, errors_of(exc, "user_id"), form)
    return redirect(f"/projects/{project_id}#team", request, flash=f"{view.user_name} added to the team.")


@router.post("/{project_id}/team/{assignment_id}")
async def team_update(
    request: Request, session: SessionDep, actor: ManagerActor, project_id: str, assignment_id: str
) -> Response:
    form = form_values(await request.form())
    try:
        data = {"is_project_manager": checked(form.get("is_project_manager")), **_assignment_rate(form)}
        projects.update_user_assignment(session, actor, project_id, assignment_id, data)
    except KeitoError as exc:
        session.rollback()
        return redirect(f"/projects/{project_id}#team", request, error=exc.message)
    return redirect(f"/projects/{project_id}#team", request, flash="Team member updated.")


@router.post("/{project_id}/team/{assignment_id}/remove")
def team_remove(
    request: Request, session: SessionDep, actor: ManagerActor, project_id: str, assignment_id: str
) -> Response:
    projects.delete_user_assignment(session, actor, project_id, assignment_id)
    return redirect(f"/projects/{project_id}#team", request, flash="Removed from the team; their entries stay.")


# ── tasks on the project ───────────────────────────────────────────────────────────────


@router.post("/{project_id}/tasks")
async def task_add(request: Request, session: SessionDep, actor: ManagerActor, project_id: str) -> Response:
    form = form_values(await request.form())
    try:
        if not form.get("task_id"):
            raise ValidationError("Choose a task to add.", field="task_id")
        data = {
            "task_id": form["task_id"],
            "billable": checked(form.get("billable")),
            "hourly_rate": decimal(form.get("task_rate"), "task_rate", "Task rate"),
        }
        view = projects.create_task_assignment(session, actor, project_id, data)
    except KeitoError as exc:
        session.rollback()
        errors = {("task_rate" if exc.field == "hourly_rate" else exc.field or "task_id"): exc.message}
        return _project_page(request, session, actor, project_id, errors, form)
    return redirect(f"/projects/{project_id}#tasks", request, flash=f"Task {view.task_name} added.")


@router.post("/{project_id}/tasks/{assignment_id}")
async def task_update(
    request: Request, session: SessionDep, actor: ManagerActor, project_id: str, assignment_id: str
) -> Response:
    form = form_values(await request.form())
    try:
        data: dict[str, Any] = {
            "billable": checked(form.get("billable")),
            "hourly_rate": decimal(form.get("hourly_rate"), "hourly_rate", "Task rate"),
        }
        projects.update_task_assignment(session, actor, project_id, assignment_id, data)
    except KeitoError as exc:
        session.rollback()
        return redirect(f"/projects/{project_id}#tasks", request, error=exc.message)
    return redirect(f"/projects/{project_id}#tasks", request, flash="Task updated.")


@router.post("/{project_id}/tasks/{assignment_id}/remove")
def task_remove(
    request: Request, session: SessionDep, actor: ManagerActor, project_id: str, assignment_id: str
) -> Response:
    try:
        projects.delete_task_assignment(session, actor, project_id, assignment_id)
    except KeitoError as exc:
        session.rollback()
        # Time was logged to it: keep it, but stop offering it.
        projects.update_task_assignment(session, actor, project_id, assignment_id, {"is_active": False})
        return redirect(f"/projects/{project_id}#tasks", request, flash=f"{exc.message} It was deactivated instead.")
    return redirect(f"/projects/{project_id}#tasks", request, flash="Task removed from the project.")

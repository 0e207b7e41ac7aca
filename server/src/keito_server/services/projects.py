"""Projects, their task assignments and their team (user assignments with per-person rates).

Who sees a project: administrators and managers see every project; everyone else sees the
projects they are actively assigned to (another project is a 404, as if it did not exist).
Inputs are plain dicts of the fields the caller actually sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keito_server.db.models import (
    Client,
    Expense,
    InvoiceLineItem,
    Project,
    Task,
    TaskAssignment,
    TimeEntry,
    User,
    UserAssignment,
)
from keito_server.domain import permissions
from keito_server.domain.errors import Conflict, NotFound, RuleViolation, ValidationError
from keito_server.domain.ids import new_id
from keito_server.domain.rates import BILL_BY, BUDGET_BY, canonical_enum
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page

PROJECT_FIELDS = (
    "client_id",
    "name",
    "code",
    "is_active",
    "is_billable",
    "is_fixed_fee",
    "bill_by",
    "hourly_rate",
    "fee",
    "budget_by",
    "budget",
    "budget_is_monthly",
    "notify_when_over_budget",
    "over_budget_notification_percentage",
    "show_budget_to_all",
    "cost_budget",
    "cost_budget_include_expenses",
    "starts_on",
    "ends_on",
    "notes",
)
_BOOLEANS = {
    "is_active",
    "is_billable",
    "is_fixed_fee",
    "budget_is_monthly",
    "notify_when_over_budget",
    "show_budget_to_all",
    "cost_budget_include_expenses",
}
MAX_PERCENT = Decimal(100)
# Over-budget alerts go out at 80% of the budget unless set otherwise (inventory §1.10).
DEFAULT_OVER_BUDGET_PERCENT = Decimal(80)


@dataclass(frozen=True)
class ProjectFilters:
    is_active: bool | None = True
    client_id: str | None = None
    updated_since: datetime | None = None
    # v1 lists only the projects the caller is on (administrators: all).
    assigned_only: bool = False


@dataclass(frozen=True)
class ProjectView:
    project: Project
    client_name: str
    client_currency: str | None


@dataclass(frozen=True)
class TaskAssignmentView:
    assignment: TaskAssignment
    project: Project
    task_name: str


@dataclass(frozen=True)
class UserAssignmentView:
    assignment: UserAssignment
    project: Project
    user_name: str


# ── projects: reads ────────────────────────────────────────────────────────────────────


def _visible_query(actor: Actor, *, assigned_only: bool = False) -> Select[Any]:
    q = select(Project).where(Project.account_id == actor.account_id)
    if assigned_only and actor.is_admin:
        return q
    if assigned_only or not actor.is_manager:
        q = q.where(
            Project.id.in_(
                select(UserAssignment.project_id).where(
                    UserAssignment.user_id == actor.user_id, UserAssignment.is_active.is_(True)
                )
            )
        )
    return q


def _visible(session: Session, actor: Actor, project_id: str | None) -> Project:
    project: Project | None = session.scalar(_visible_query(actor).where(Project.id == (project_id or "")))
    if project is None:
        raise NotFound("Project")
    return project


def project_views(session: Session, projects: list[Project]) -> list[ProjectView]:
    if not projects:
        return []
    clients = {c.id: c for c in session.scalars(select(Client).where(Client.id.in_({p.client_id for p in projects})))}
    out = []
    for p in projects:
        client = clients.get(p.client_id)
        out.append(ProjectView(p, client.name if client else "", client.currency if client else None))
    return out


def list_projects(
    session: Session, actor: Actor, filters: ProjectFilters, page: Page
) -> tuple[list[ProjectView], int | None]:
    q = _visible_query(actor, assigned_only=filters.assigned_only)
    if filters.is_active is not None:
        q = q.where(Project.is_active.is_(filters.is_active))
    if filters.client_id:
        q = q.where(Project.client_id == filters.client_id)
    if filters.updated_since is not None:
        q = q.where(Project.updated_at >= filters.updated_since)
    rows, total = fetch_page(session, q.order_by(Project.name, Project.id), page)
    return project_views(session, rows), total


def get_project(session: Session, actor: Actor, project_id: str) -> ProjectView:
    return project_views(session, [_visible(session, actor, project_id)])[0]


# ── projects: writes ───────────────────────────────────────────────────────────────────


def _clean_project(session: Session, actor: Actor, data: dict[str, Any], project: Project | None) -> dict[str, Any]:
    """Validated fields to store (raises before anything is written)."""
    out: dict[str, Any] = {}
    for key in PROJECT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "client_id":
            if not value:
                raise ValidationError("client_id cannot be empty: every project belongs to a client.", field=key)
            client = get_scoped(session, Client, value, actor.account_id, "Client", field="client_id")
            if not client.is_active and (project is None or project.client_id != client.id):
                raise RuleViolation(f"Client '{client.name}' is archived; restore it first.", field="client_id")
            value = client.id
        elif key == "name":
            value = (value or "").strip()
            if not value:
                raise ValidationError("name is required: give the project a name.", field="name")
        elif key == "code":
            value = (value or "").strip() or None
            if value is not None:
                _check_code_free(session, actor, value, project)
        elif key == "bill_by":
            value = canonical_enum(value if value is not None else "", BILL_BY, "bill_by")
        elif key == "budget_by":
            value = canonical_enum(value if value is not None else "", BUDGET_BY, "budget_by")
        elif key in _BOOLEANS and value is None:
            raise ValidationError(f"{key} must be true or false.", field=key)
        elif key == "over_budget_notification_percentage" and value is not None and not 0 <= value <= MAX_PERCENT:
            raise ValidationError("over_budget_notification_percentage is a percentage between 0 and 100.", field=key)
        out[key] = value
    if project is None:
        for required in ("client_id", "name"):
            if required not in out:
                raise ValidationError(f"{required} is required.", field=required)
    starts: date | None = out.get("starts_on", project.starts_on if project else None)
    ends: date | None = out.get("ends_on", project.ends_on if project else None)
    if starts and ends and ends < starts:
        raise ValidationError("ends_on must be on or after starts_on.", field="ends_on")
    return out


def _code_taken(code: str) -> Conflict:
    return Conflict(
        f"Project code '{code}' is already used by another project in this workspace; choose another code.",
        code="already_exists",
        field="code",
    )


def _check_code_free(session: Session, actor: Actor, code: str, project: Project | None) -> None:
    q = select(Project.id).where(Project.account_id == actor.account_id, Project.code == code)
    if project is not None:
        q = q.where(Project.id != project.id)
    if session.scalar(q):
        raise _code_taken(code)


def _commit_project(session: Session, project: Project) -> None:
    try:
        session.commit()
    except IntegrityError:  # a concurrent request took the code between our check and commit
        session.rollback()
        raise _code_taken(project.code or "") from None


def create_project(session: Session, actor: Actor, data: dict[str, Any]) -> Project:
    """A project for a client. Default tasks are assigned unless ``task_ids`` names them;
    users with access to all future projects, and the creator (as project manager), join its team."""
    actor.require_manager("create projects", permissions.CREATE_PROJECTS)
    fields = _clean_project(session, actor, data, None)
    task_ids = data.get("task_ids")
    q = select(Task).where(Task.account_id == actor.account_id)
    if task_ids:
        tasks = list(session.scalars(q.where(Task.id.in_(set(task_ids)))))
        missing = set(task_ids) - {t.id for t in tasks}
        if missing:
            raise NotFound(f"Task {sorted(missing)[0]}", field="task_ids")
        archived = sorted(t.name for t in tasks if not t.is_active)
        if archived:
            raise RuleViolation(f"Task '{archived[0]}' is archived; restore it first.", field="task_ids")
    else:
        tasks = list(session.scalars(q.where(Task.is_default.is_(True), Task.is_active.is_(True))))
    project = Project(
        id=new_id("project"),
        account_id=actor.account_id,
        client_id=fields["client_id"],
        over_budget_notification_percentage=DEFAULT_OVER_BUDGET_PERCENT,
    )
    for key, value in fields.items():
        setattr(project, key, value)
    session.add(project)
    session.flush()
    for task in tasks:
        session.add(
            TaskAssignment(
                id=new_id("task_assignment"),
                account_id=actor.account_id,
                project_id=project.id,
                task_id=task.id,
                billable=task.billable_by_default,
            )
        )
    team = {
        u.id
        for u in session.scalars(
            select(User).where(
                User.account_id == actor.account_id,
                User.has_access_to_all_future_projects.is_(True),
                User.is_active.is_(True),
            )
        )
    }
    team.add(actor.user_id)
    for user_id in sorted(team):
        session.add(
            UserAssignment(
                id=new_id("user_assignment"),
                account_id=actor.account_id,
                project_id=project.id,
                user_id=user_id,
                is_project_manager=user_id == actor.user_id,
            )
        )
    audit(session, actor.account_id, actor.user_id, "project.created", project.id)
    _commit_project(session, project)
    return project


def update_project(session: Session, actor: Actor, project_id: str, changes: dict[str, Any]) -> ProjectView:
    actor.require_manager("edit projects")
    project = _visible(session, actor, project_id)
    fields = _clean_project(session, actor, changes, project)
    for key, value in fields.items():
        setattr(project, key, value)
    audit(session, actor.account_id, actor.user_id, "project.updated", project.id, fields)
    _commit_project(session, project)
    return project_views(session, [project])[0]


def delete_project(session: Session, actor: Actor, project_id: str) -> None:
    """Refused once time or expenses were logged (archive with is_active: false instead)."""
    actor.require_manager("delete projects")
    project = _visible(session, actor, project_id)
    in_use = (
        ("time entries", select(TimeEntry.id).where(TimeEntry.project_id == project.id)),
        ("expenses", select(Expense.id).where(Expense.project_id == project.id)),
        ("invoice lines", select(InvoiceLineItem.id).where(InvoiceLineItem.project_id == project.id)),
    )
    for what, query in in_use:
        if session.scalar(query.limit(1)):
            raise Conflict(
                f"Project '{project.name}' has {what}; archive it (is_active: false) instead of deleting it.",
                code="project_has_records",
            )
    for ta in session.scalars(select(TaskAssignment).where(TaskAssignment.project_id == project.id)):
        session.delete(ta)
    for ua in session.scalars(select(UserAssignment).where(UserAssignment.project_id == project.id)):
        session.delete(ua)
    audit(session, actor.account_id, actor.user_id, "project.deleted", project.id, {"name": project.name})
    session.delete(project)
    session.commit()


# ── task assignments ───────────────────────────────────────────────────────────────────


def _task_views(session: Session, project: Project, rows: list[TaskAssignment]) -> list[TaskAssignmentView]:
    names = {
        row.id: row.name
        for row in session.execute(select(Task.id, Task.name).where(Task.id.in_({r.task_id for r in rows})))
    }
    return [TaskAssignmentView(r, project, names.get(r.task_id, "")) for r in rows]


def _task_assignment(session: Session, actor: Actor, project: Project, assignment_id: str) -> TaskAssignment:
    row = get_scoped(session, TaskAssignment, assignment_id, actor.account_id, "Task assignment")
    if row.project_id != project.id:
        raise NotFound("Task assignment")
    return row


def list_task_assignments(
    session: Session,
    actor: Actor,
    project_id: str,
    page: Page,
    *,
    is_active: bool | None = None,
    updated_since: datetime | None = None,
) -> tuple[list[TaskAssignmentView], int | None]:
    project = _visible(session, actor, project_id)
    q = select(TaskAssignment).where(TaskAssignment.project_id == project.id)
    if is_active is not None:
        q = q.where(TaskAssignment.is_active.is_(is_active))
    if updated_since is not None:
        q = q.where(TaskAssignment.updated_at >= updated_since)
    rows, total = fetch_page(session, q.order_by(TaskAssignment.created_at, TaskAssignment.id), page)
    return _task_views(session, project, rows), total


def get_task_assignment(session: Session, actor: Actor, project_id: str, assignment_id: str) -> TaskAssignmentView:
    project = _visible(session, actor, project_id)
    return _task_views(session, project, [_task_assignment(session, actor, project, assignment_id)])[0]


_TASK_ASSIGNMENT_FIELDS = ("is_active", "billable", "hourly_rate", "budget")


def _clean_assignment(data: dict[str, Any], allowed: tuple[str, ...], booleans: tuple[str, ...]) -> dict[str, Any]:
    out = {k: data[k] for k in allowed if k in data}
    for key in booleans:
        if key in out and out[key] is None:
            raise ValidationError(f"{key} must be true or false.", field=key)
    return out


def create_task_assignment(session: Session, actor: Actor, project_id: str, data: dict[str, Any]) -> TaskAssignmentView:
    actor.require_manager("change a project's tasks")
    project = _visible(session, actor, project_id)
    if not data.get("task_id"):
        raise ValidationError("task_id is required.", field="task_id")
    task = get_scoped(session, Task, data["task_id"], actor.account_id, "Task", field="task_id")
    if not task.is_active:
        raise RuleViolation(f"Task '{task.name}' is archived; restore it first.", field="task_id")
    fields = _clean_assignment(data, _TASK_ASSIGNMENT_FIELDS, ("is_active", "billable"))
    if session.scalar(
        select(TaskAssignment.id).where(TaskAssignment.project_id == project.id, TaskAssignment.task_id == task.id)
    ):
        raise Conflict(
            f"Task '{task.name}' is already assigned to project '{project.name}'; update that assignment instead.",
            code="already_exists",
            field="task_id",
        )
    row = TaskAssignment(
        id=new_id("task_assignment"),
        account_id=actor.account_id,
        project_id=project.id,
        task_id=task.id,
        billable=task.billable_by_default,
        is_active=True,
    )
    _save_new_assignment(
        session,
        actor,
        row,
        fields,
        ("project.task_assigned", project.id, {"task_id": task.id}),
        f"Task '{task.name}' is already assigned to this project.",
    )
    return _task_views(session, project, [row])[0]


def update_task_assignment(
    session: Session, actor: Actor, project_id: str, assignment_id: str, changes: dict[str, Any]
) -> TaskAssignmentView:
    actor.require_manager("change a project's tasks")
    project = _visible(session, actor, project_id)
    row = _task_assignment(session, actor, project, assignment_id)
    fields = _clean_assignment(changes, _TASK_ASSIGNMENT_FIELDS, ("is_active", "billable"))
    for key, value in fields.items():
        setattr(row, key, value)
    audit(session, actor.account_id, actor.user_id, "project.task_assignment_updated", row.id, fields)
    session.commit()
    return _task_views(session, project, [row])[0]


def delete_task_assignment(session: Session, actor: Actor, project_id: str, assignment_id: str) -> None:
    """Refused once time was logged to this task on this project (deactivate it instead)."""
    actor.require_manager("change a project's tasks")
    project = _visible(session, actor, project_id)
    row = _task_assignment(session, actor, project, assignment_id)
    if session.scalar(
        select(TimeEntry.id).where(TimeEntry.project_id == project.id, TimeEntry.task_id == row.task_id).limit(1)
    ):
        raise Conflict(
            "Time has been logged to this task on this project; set is_active to false instead of deleting.",
            code="task_assignment_has_time",
        )
    audit(session, actor.account_id, actor.user_id, "project.task_unassigned", project.id, {"task_id": row.task_id})
    session.delete(row)
    session.commit()


# ── user assignments (the project team) ────────────────────────────────────────────────

_USER_ASSIGNMENT_FIELDS = ("is_active", "is_project_manager", "use_default_rates", "hourly_rate", "budget")
_USER_ASSIGNMENT_BOOLEANS = ("is_active", "is_project_manager", "use_default_rates")


def _user_views(session: Session, project: Project, rows: list[UserAssignment]) -> list[UserAssignmentView]:
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in rows})))}
    return [UserAssignmentView(r, project, users[r.user_id].name if r.user_id in users else "") for r in rows]


def _user_assignment(session: Session, actor: Actor, project: Project, assignment_id: str) -> UserAssignment:
    row = get_scoped(session, UserAssignment, assignment_id, actor.account_id, "User assignment")
    if row.project_id != project.id:
        raise NotFound("User assignment")
    return row


def _rates_follow(fields: dict[str, Any]) -> None:
    """A per-person hourly_rate means the person's default rates no longer apply (Harvest)."""
    if fields.get("hourly_rate") is not None and "use_default_rates" not in fields:
        fields["use_default_rates"] = False


def list_user_assignments(
    session: Session,
    actor: Actor,
    project_id: str,
    page: Page,
    *,
    user_id: str | None = None,
    is_active: bool | None = None,
    updated_since: datetime | None = None,
) -> tuple[list[UserAssignmentView], int | None]:
    project = _visible(session, actor, project_id)
    q = select(UserAssignment).where(UserAssignment.project_id == project.id)
    if user_id:
        q = q.where(UserAssignment.user_id == user_id)
    if is_active is not None:
        q = q.where(UserAssignment.is_active.is_(is_active))
    if updated_since is not None:
        q = q.where(UserAssignment.updated_at >= updated_since)
    rows, total = fetch_page(session, q.order_by(UserAssignment.created_at, UserAssignment.id), page)
    return _user_views(session, project, rows), total


def get_user_assignment(session: Session, actor: Actor, project_id: str, assignment_id: str) -> UserAssignmentView:
    project = _visible(session, actor, project_id)
    return _user_views(session, project, [_user_assignment(session, actor, project, assignment_id)])[0]


def create_user_assignment(session: Session, actor: Actor, project_id: str, data: dict[str, Any]) -> UserAssignmentView:
    """Put a person (human or agent) on the project team; a second assignment of the same person is a 409."""
    actor.require_manager("change a project's team")
    project = _visible(session, actor, project_id)
    if not data.get("user_id"):
        raise ValidationError("user_id is required.", field="user_id")
    user = get_scoped(session, User, data["user_id"], actor.account_id, "User", field="user_id")
    if not user.is_active:
        raise RuleViolation(
            f"{user.name} is archived; reactivate them before adding them to a project.", field="user_id"
        )
    fields = _clean_assignment(data, _USER_ASSIGNMENT_FIELDS, _USER_ASSIGNMENT_BOOLEANS)
    _rates_follow(fields)
    if session.scalar(
        select(UserAssignment.id).where(UserAssignment.project_id == project.id, UserAssignment.user_id == user.id)
    ):
        raise Conflict(
            f"{user.name} is already on project '{project.name}'; update that assignment instead.",
            code="already_exists",
            field="user_id",
        )
    row = UserAssignment(
        id=new_id("user_assignment"),
        account_id=actor.account_id,
        project_id=project.id,
        user_id=user.id,
        is_active=True,
        is_project_manager=False,
        use_default_rates=True,
    )
    _save_new_assignment(
        session,
        actor,
        row,
        fields,
        ("project.user_assigned", project.id, {"user_id": user.id}),
        f"{user.name} is already on this project.",
    )
    return _user_views(session, project, [row])[0]


def _save_new_assignment(
    session: Session,
    actor: Actor,
    row: TaskAssignment | UserAssignment,
    fields: dict[str, Any],
    event: tuple[str, str, dict[str, Any]],
    duplicate: str,
) -> None:
    """Apply the cleaned fields, audit, and commit a new assignment; a second assignment of the
    same task or person (the unique constraint) is a 409 ``already_exists``."""
    for key, value in fields.items():
        setattr(row, key, value)
    session.add(row)
    audit(session, actor.account_id, actor.user_id, *event)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(duplicate, code="already_exists") from None


def update_user_assignment(
    session: Session, actor: Actor, project_id: str, assignment_id: str, changes: dict[str, Any]
) -> UserAssignmentView:
    actor.require_manager("change a project's team")
    project = _visible(session, actor, project_id)
    row = _user_assignment(session, actor, project, assignment_id)
    fields = _clean_assignment(changes, _USER_ASSIGNMENT_FIELDS, _USER_ASSIGNMENT_BOOLEANS)
    _rates_follow(fields)
    for key, value in fields.items():
        setattr(row, key, value)
    audit(session, actor.account_id, actor.user_id, "project.user_assignment_updated", row.id, fields)
    session.commit()
    return _user_views(session, project, [row])[0]


def delete_user_assignment(session: Session, actor: Actor, project_id: str, assignment_id: str) -> None:
    """Take a person off the team; the time and expenses they logged stay."""
    actor.require_manager("change a project's team")
    project = _visible(session, actor, project_id)
    row = _user_assignment(session, actor, project, assignment_id)
    audit(session, actor.account_id, actor.user_id, "project.user_unassigned", project.id, {"user_id": row.user_id})
    session.delete(row)
    session.commit()


@dataclass(frozen=True)
class ProjectAssignmentView:
    """One of a person's projects with the tasks they can log to on it (Harvest's ProjectAssignment)."""

    assignment: UserAssignment
    project: Project
    client_name: str
    tasks: list[TaskAssignmentView]


def project_assignments(
    session: Session, actor: Actor, user_id: str, page: Page
) -> tuple[list[ProjectAssignmentView], int | None]:
    """A person's active projects. Yours for anyone; someone else's for managers and administrators."""
    user = get_scoped(session, User, user_id, actor.account_id, "User")
    if user.id != actor.user_id:
        actor.require_manager("see other people's project assignments")
    q = (
        select(UserAssignment)
        .join(Project, Project.id == UserAssignment.project_id)
        .where(UserAssignment.user_id == user.id, UserAssignment.is_active.is_(True), Project.is_active.is_(True))
        .order_by(Project.name, Project.id)
    )
    rows, total = fetch_page(session, q, page)
    if not rows:
        return [], total
    projects = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_({r.project_id for r in rows})))}
    clients = {
        row.id: row.name
        for row in session.execute(
            select(Client.id, Client.name).where(Client.id.in_({p.client_id for p in projects.values()}))
        )
    }
    offered = list(
        session.scalars(
            select(TaskAssignment)
            .where(TaskAssignment.project_id.in_(set(projects)), TaskAssignment.is_active.is_(True))
            .order_by(TaskAssignment.created_at, TaskAssignment.id)
        )
    )
    names = {
        row.id: row.name
        for row in session.execute(select(Task.id, Task.name).where(Task.id.in_({t.task_id for t in offered})))
    }
    out = []
    for r in rows:
        project = projects[r.project_id]
        tasks = [
            TaskAssignmentView(t, project, names.get(t.task_id, "")) for t in offered if t.project_id == project.id
        ]
        out.append(ProjectAssignmentView(r, project, clients.get(project.client_id, ""), tasks))
    return out, total


def assign_user(session: Session, actor: Actor, project_id: str, user_id: str, **fields: Any) -> UserAssignment:
    """Put ``user_id`` on the team, or reactivate/update an existing assignment (set-up helpers)."""
    actor.require_manager("change a project's team")
    project = get_scoped(session, Project, project_id, actor.account_id, "Project")
    user = get_scoped(session, User, user_id, actor.account_id, "User", field="user_id")
    existing = session.scalar(
        select(UserAssignment).where(UserAssignment.project_id == project.id, UserAssignment.user_id == user.id)
    )
    assignment = existing or UserAssignment(
        id=new_id("user_assignment"), account_id=actor.account_id, project_id=project.id, user_id=user.id
    )
    for key, value in fields.items():
        setattr(assignment, key, value)
    assignment.is_active = fields.get("is_active", True)
    session.add(assignment)
    audit(session, actor.account_id, actor.user_id, "project.user_assigned", project.id, {"user_id": user.id})
    session.commit()
    return assignment

"""Projects, their task assignments and their team, in both dialects: parse, call
services.projects, serialize. v1 shows a project the quickstart way (``billing_type``,
``budget_hours``/``budget_amount``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from keito_server.api.common import id_name, iso, parse_timestamp_param
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.projects import (
    ProjectCreate,
    ProjectUpdate,
    TaskAssignmentCreate,
    TaskAssignmentUpdate,
    UserAssignmentCreate,
    UserAssignmentUpdate,
)
from keito_server.db.models import Project
from keito_server.services import projects as svc
from keito_server.services.projects import ProjectFilters, ProjectView, TaskAssignmentView, UserAssignmentView

v2 = APIRouter(prefix="/api/v2/projects", tags=["Projects"])
v1 = APIRouter(prefix="/v1/projects", tags=["v1 Projects"])

# Harvest's budget_by values that count hours; the others count money.
HOUR_BUDGETS = ("project", "task", "person")
MONEY_BUDGETS = ("project_cost", "task_fees")


def serialize_v2(view: ProjectView) -> dict[str, Any]:
    p = view.project
    return {
        "id": p.id,
        "client_id": p.client_id,
        "client": {"id": p.client_id, "name": view.client_name, "currency": view.client_currency},
        "name": p.name,
        "code": p.code,
        "is_active": p.is_active,
        "is_billable": p.is_billable,
        "is_fixed_fee": p.is_fixed_fee,
        "bill_by": p.bill_by,
        "hourly_rate": p.hourly_rate,
        "fee": p.fee,
        "budget_by": p.budget_by,
        "budget": p.budget,
        "budget_is_monthly": p.budget_is_monthly,
        "notify_when_over_budget": p.notify_when_over_budget,
        "over_budget_notification_percentage": p.over_budget_notification_percentage,
        "show_budget_to_all": p.show_budget_to_all,
        "cost_budget": p.cost_budget,
        "cost_budget_include_expenses": p.cost_budget_include_expenses,
        "starts_on": p.starts_on.isoformat() if p.starts_on else None,
        "ends_on": p.ends_on.isoformat() if p.ends_on else None,
        "notes": p.notes,
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
    }


def billing_type(p: Project) -> str:
    if p.is_fixed_fee:
        return "fixed_fee"
    if not p.is_billable or p.bill_by == "none":
        return "non_billable"
    return "time_and_materials"


def serialize_v1(view: ProjectView) -> dict[str, Any]:
    p = view.project
    return {
        "id": p.id,
        "name": p.name,
        "code": p.code,
        "client_id": p.client_id,
        "client": id_name(p.client_id, view.client_name),
        "billing_type": billing_type(p),
        "is_billable": p.is_billable and p.bill_by != "none",
        "bill_by": p.bill_by,
        "hourly_rate": p.hourly_rate,
        "fee": p.fee,
        "budget_by": p.budget_by,
        "budget_hours": p.budget if p.budget_by in HOUR_BUDGETS else None,
        "budget_amount": p.budget if p.budget_by in MONEY_BUDGETS else None,
        "currency": view.client_currency,
        "is_active": p.is_active,
        "starts_on": p.starts_on.isoformat() if p.starts_on else None,
        "ends_on": p.ends_on.isoformat() if p.ends_on else None,
        "notes": p.notes,
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
    }


def _project_ref(p: Project) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "code": p.code}


def serialize_task_assignment(view: TaskAssignmentView) -> dict[str, Any]:
    a = view.assignment
    return {
        "id": a.id,
        "project": _project_ref(view.project),
        "task": id_name(a.task_id, view.task_name),
        "is_active": a.is_active,
        "billable": a.billable,
        "hourly_rate": a.hourly_rate,
        "budget": a.budget,
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
    }


def serialize_user_assignment(view: UserAssignmentView) -> dict[str, Any]:
    a = view.assignment
    return {
        "id": a.id,
        "project": _project_ref(view.project),
        "user": id_name(a.user_id, view.user_name),
        "is_active": a.is_active,
        "is_project_manager": a.is_project_manager,
        "use_default_rates": a.use_default_rates,
        "hourly_rate": a.hourly_rate,
        "budget": a.budget,
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
    }


class ListFilters:
    def __init__(self, is_active: bool = True, client_id: str | None = None, updated_since: str | None = None) -> None:
        self.is_active = is_active
        self.client_id = client_id
        self.updated_since = parse_timestamp_param(updated_since, "updated_since")

    def value(self, *, assigned_only: bool = False) -> ProjectFilters:
        return ProjectFilters(
            is_active=self.is_active,
            client_id=self.client_id,
            updated_since=self.updated_since,
            assigned_only=assigned_only,
        )


class AssignmentFilters:
    def __init__(self, is_active: bool | None = None, updated_since: str | None = None) -> None:
        self.is_active = is_active
        self.updated_since = parse_timestamp_param(updated_since, "updated_since")


Filters = Annotated[ListFilters, Depends()]
AFilters = Annotated[AssignmentFilters, Depends()]
Paging = Annotated[V2Paging, Depends()]


# ── v2 projects ────────────────────────────────────────────────────────────────────────


@v2.get("", operation_id="listProjects", summary="List projects")
def list_v2(request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Paging) -> JSON:
    views, total = svc.list_projects(session, actor, filters.value(), paging.request())
    return JSON(paging.envelope(request, "projects", [serialize_v2(v) for v in views], total or 0))


@v2.post("", operation_id="createProject", summary="Create a project (managers and administrators)", status_code=201)
def create_v2(body: ProjectCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    project = svc.create_project(session, actor, body.model_dump(exclude_unset=True))
    return JSON(serialize_v2(svc.get_project(session, actor, project.id)), status_code=201)


@v2.get("/{id}", operation_id="getProject", summary="Get a project")
def get_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.get_project(session, actor, id)))


@v2.patch("/{id}", operation_id="updateProject", summary="Update or archive a project (managers and administrators)")
def update_v2(id: str, body: ProjectUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    data = body.model_dump(exclude_unset=True)
    data.pop("task_ids", None)  # tasks change through task_assignments
    return JSON(serialize_v2(svc.update_project(session, actor, id, data)))


@v2.delete("/{id}", operation_id="deleteProject", summary="Delete a project with no time or expenses", status_code=204)
def delete_v2(id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.delete_project(session, actor, id)
    return Response(status_code=204)


# ── v2 task assignments ────────────────────────────────────────────────────────────────


@v2.get("/{project_id}/task_assignments", operation_id="listTaskAssignments", summary="List a project's tasks")
def list_task_assignments(
    project_id: str, request: Request, session: SessionDep, actor: CurrentActor, filters: AFilters, paging: Paging
) -> JSON:
    views, total = svc.list_task_assignments(
        session, actor, project_id, paging.request(), is_active=filters.is_active, updated_since=filters.updated_since
    )
    return JSON(paging.envelope(request, "task_assignments", [serialize_task_assignment(v) for v in views], total or 0))


@v2.post(
    "/{project_id}/task_assignments",
    operation_id="createTaskAssignment",
    summary="Offer a task on a project",
    status_code=201,
)
def create_task_assignment(
    project_id: str, body: TaskAssignmentCreate, session: SessionDep, actor: CurrentActor
) -> JSON:
    view = svc.create_task_assignment(session, actor, project_id, body.model_dump(exclude_unset=True))
    return JSON(serialize_task_assignment(view), status_code=201)


@v2.get("/{project_id}/task_assignments/{id}", operation_id="getTaskAssignment", summary="Get a task assignment")
def get_task_assignment(project_id: str, id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_task_assignment(svc.get_task_assignment(session, actor, project_id, id)))


@v2.patch(
    "/{project_id}/task_assignments/{id}", operation_id="updateTaskAssignment", summary="Update a task assignment"
)
def update_task_assignment(
    project_id: str, id: str, body: TaskAssignmentUpdate, session: SessionDep, actor: CurrentActor
) -> JSON:
    view = svc.update_task_assignment(session, actor, project_id, id, body.model_dump(exclude_unset=True))
    return JSON(serialize_task_assignment(view))


@v2.delete(
    "/{project_id}/task_assignments/{id}",
    operation_id="deleteTaskAssignment",
    summary="Remove a task from a project",
    status_code=204,
)
def delete_task_assignment(project_id: str, id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.delete_task_assignment(session, actor, project_id, id)
    return Response(status_code=204)


# ── v2 user assignments (the project team) ─────────────────────────────────────────────


@v2.get("/{project_id}/user_assignments", operation_id="listUserAssignments", summary="List a project's team")
def list_user_assignments(
    project_id: str,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    filters: AFilters,
    paging: Paging,
    user_id: str | None = None,
) -> JSON:
    views, total = svc.list_user_assignments(
        session,
        actor,
        project_id,
        paging.request(),
        user_id=user_id,
        is_active=filters.is_active,
        updated_since=filters.updated_since,
    )
    return JSON(paging.envelope(request, "user_assignments", [serialize_user_assignment(v) for v in views], total or 0))


@v2.post(
    "/{project_id}/user_assignments",
    operation_id="createUserAssignment",
    summary="Add a person or agent to a project",
    status_code=201,
)
def create_user_assignment(
    project_id: str, body: UserAssignmentCreate, session: SessionDep, actor: CurrentActor
) -> JSON:
    view = svc.create_user_assignment(session, actor, project_id, body.model_dump(exclude_unset=True))
    return JSON(serialize_user_assignment(view), status_code=201)


@v2.get("/{project_id}/user_assignments/{id}", operation_id="getUserAssignment", summary="Get a user assignment")
def get_user_assignment(project_id: str, id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_user_assignment(svc.get_user_assignment(session, actor, project_id, id)))


@v2.patch(
    "/{project_id}/user_assignments/{id}",
    operation_id="updateUserAssignment",
    summary="Update a user assignment (rate, project manager)",
)
def update_user_assignment(
    project_id: str, id: str, body: UserAssignmentUpdate, session: SessionDep, actor: CurrentActor
) -> JSON:
    view = svc.update_user_assignment(session, actor, project_id, id, body.model_dump(exclude_unset=True))
    return JSON(serialize_user_assignment(view))


@v2.delete(
    "/{project_id}/user_assignments/{id}",
    operation_id="deleteUserAssignment",
    summary="Take a person off a project (their entries stay)",
    status_code=204,
)
def delete_user_assignment(project_id: str, id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.delete_user_assignment(session, actor, project_id, id)
    return Response(status_code=204)


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


@v1.get("", operation_id="v1ListProjects", summary="List the projects you are assigned to (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]) -> JSON:
    views, _ = svc.list_projects(session, actor, filters.value(assigned_only=True), paging.request())
    return JSON(paging.envelope([serialize_v1(v) for v in views]))


@v1.get("/{id}", operation_id="v1GetProject", summary="Get a project (v1)")
def get_v1(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v1(svc.get_project(session, actor, id)))

"""Users in both dialects: parse, call services.users, serialize.

Rates a viewer may not see (services.users.UserView) are written as null.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from keito_server.api.common import iso, parse_timestamp_param
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.routes.projects import serialize_task_assignment
from keito_server.api.schemas.users import TeammatesUpdate, UserCreate, UserCreateV1, UserUpdate, UserUpdateV1
from keito_server.db.models import User
from keito_server.domain.permissions import effective
from keito_server.services import projects as project_svc
from keito_server.services import teammates as teammate_svc
from keito_server.services import users as svc
from keito_server.services.context import Actor
from keito_server.services.projects import ProjectAssignmentView
from keito_server.services.users import UserFilters, UserView

v2 = APIRouter(prefix="/api/v2/users", tags=["Users"])
v1 = APIRouter(prefix="/v1/users", tags=["v1 Users"])


def _permissions(u: User) -> dict[str, bool] | None:
    """A manager's granular permissions as they apply; null for members and administrators."""
    return effective(u.manager_permissions) if u.is_manager and not u.is_admin else None


def serialize_v2(view: UserView, actor: Actor) -> dict[str, Any]:
    u = view.user
    account = actor.account
    return {
        "id": u.id,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "name": u.name,
        "email": u.email,
        "telephone": u.telephone,
        "timezone": u.timezone or account.timezone,
        "has_access_to_all_future_projects": u.has_access_to_all_future_projects,
        "is_contractor": u.is_contractor,
        "is_active": u.is_active,
        "weekly_capacity": u.weekly_capacity,
        "default_hourly_rate": u.default_hourly_rate if view.show_billable_rate else None,
        "cost_rate": u.cost_rate if view.show_cost_rate else None,
        "currency": account.currency,
        "roles": list(u.roles or []),
        "user_type": u.user_type,
        "avatar_url": u.avatar_url,
        "manager_permissions": _permissions(u),
        "company": {"id": account.id, "name": account.name},
        "created_at": iso(u.created_at),
        "updated_at": iso(u.updated_at),
    }


def serialize_v1(view: UserView, actor: Actor) -> dict[str, Any]:
    u = view.user
    return {
        "id": u.id,
        "name": u.name,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "email": u.email,
        "user_type": u.user_type,
        "is_active": u.is_active,
        "roles": list(u.roles or []),
        "billable_rate": u.default_hourly_rate if view.show_billable_rate else None,
        "cost_rate": u.cost_rate if view.show_cost_rate else None,
        "currency": actor.account.currency,
        "timezone": u.timezone or actor.account.timezone,
        "weekly_capacity": u.weekly_capacity,
        "is_contractor": u.is_contractor,
        "avatar_url": u.avatar_url,
        "manager_permissions": _permissions(u),
        "account_id": actor.account_id,
        "created_at": iso(u.created_at),
        "updated_at": iso(u.updated_at),
    }


def serialize_teammate(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "name": u.name,
        "email": u.email,
        "user_type": u.user_type,
        "is_active": u.is_active,
    }


def serialize_project_assignment(view: ProjectAssignmentView) -> dict[str, Any]:
    a, p = view.assignment, view.project
    tasks = []
    for t in view.tasks:
        task = serialize_task_assignment(t)
        task.pop("project")
        tasks.append(task)
    return {
        "id": a.id,
        "is_project_manager": a.is_project_manager,
        "is_active": a.is_active,
        "use_default_rates": a.use_default_rates,
        "hourly_rate": a.hourly_rate,
        "budget": a.budget,
        "project": {"id": p.id, "name": p.name, "code": p.code},
        "client": {"id": p.client_id, "name": view.client_name},
        "task_assignments": tasks,
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
    }


class ListFilters:
    def __init__(
        self, is_active: bool | None = None, user_type: str | None = None, updated_since: str | None = None
    ) -> None:
        self.value = UserFilters(
            is_active=is_active,
            user_type=user_type,
            updated_since=parse_timestamp_param(updated_since, "updated_since"),
        )


Filters = Annotated[ListFilters, Depends()]


def _v1_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "billable_rate" in data:
        data["default_hourly_rate"] = data.pop("billable_rate")
    return data


# ── v2 ─────────────────────────────────────────────────────────────────────────────────


@v2.get("/me", operation_id="getCurrentUser", summary="Get current user")
def me_v2(actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.me(actor), actor))


@v2.get(
    "/me/project_assignments",
    operation_id="listMyProjectAssignments",
    summary="Your active projects and the tasks you can log to on each",
)
def my_assignments_v2(
    request: Request, session: SessionDep, actor: CurrentActor, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    views, total = project_svc.project_assignments(session, actor, actor.user_id, paging.request())
    items = [serialize_project_assignment(v) for v in views]
    return JSON(paging.envelope(request, "project_assignments", items, total or 0))


@v2.get(
    "/{id}/project_assignments",
    operation_id="listUserProjectAssignments",
    summary="A person's active projects (managers and administrators, or yourself)",
)
def assignments_v2(
    id: str, request: Request, session: SessionDep, actor: CurrentActor, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    views, total = project_svc.project_assignments(session, actor, id, paging.request())
    items = [serialize_project_assignment(v) for v in views]
    return JSON(paging.envelope(request, "project_assignments", items, total or 0))


@v2.get(
    "/{id}/teammates",
    operation_id="listUserTeammates",
    summary="A manager's teammates (empty: not restricted); administrators, or the manager",
)
def teammates_v2(
    id: str, request: Request, session: SessionDep, actor: CurrentActor, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    people, total = teammate_svc.list_teammates(session, actor, id, paging.request())
    return JSON(paging.envelope(request, "teammates", [serialize_teammate(u) for u in people], total or 0))


@v2.patch(
    "/{id}/teammates",
    operation_id="updateUserTeammates",
    summary="Restrict a manager to these teammates (administrators); [] lifts the restriction",
)
def set_teammates_v2(
    id: str,
    body: TeammatesUpdate,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    paging: Annotated[V2Paging, Depends()],
) -> JSON:
    teammate_svc.set_teammates(session, actor, id, body.teammate_ids)
    return teammates_v2(id, request, session, actor, paging)


@v2.get("", operation_id="listUsers", summary="List users (humans and agents)")
def list_v2(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    views, total = svc.list_users(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "users", [serialize_v2(v, actor) for v in views], total or 0))


@v2.post("", operation_id="createUser", summary="Add a human or an agent user (administrators)", status_code=201)
def create_v2(body: UserCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    user = svc.create_user(session, actor, body.model_dump(exclude_unset=True))
    return JSON(serialize_v2(svc.view(actor, user), actor), status_code=201)


@v2.get("/{id}", operation_id="getUser", summary="Get a user")
def get_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.get_user(session, actor, id), actor))


@v2.patch("/{id}", operation_id="updateUser", summary="Update a user (roles and rates: administrators)")
def update_v2(id: str, body: UserUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.update_user(session, actor, id, body.model_dump(exclude_unset=True)), actor))


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


@v1.get("/me", operation_id="v1GetCurrentUser", summary="Get current user (v1)")
def me_v1(actor: CurrentActor) -> JSON:
    return JSON(serialize_v1(svc.me(actor), actor))


@v1.get("", operation_id="v1ListUsers", summary="List users (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]) -> JSON:
    views, _ = svc.list_users(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize_v1(v, actor) for v in views]))


@v1.get("/{id}/teammates", operation_id="v1ListUserTeammates", summary="A manager's teammates (v1)")
def teammates_v1(id: str, session: SessionDep, actor: CurrentActor, paging: Annotated[V1Paging, Depends()]) -> JSON:
    people, _ = teammate_svc.list_teammates(session, actor, id, paging.request())
    return JSON(paging.envelope([serialize_teammate(u) for u in people]))


@v1.patch("/{id}/teammates", operation_id="v1UpdateUserTeammates", summary="Restrict a manager to these teammates (v1)")
def set_teammates_v1(
    id: str, body: TeammatesUpdate, session: SessionDep, actor: CurrentActor, paging: Annotated[V1Paging, Depends()]
) -> JSON:
    teammate_svc.set_teammates(session, actor, id, body.teammate_ids)
    return teammates_v1(id, session, actor, paging)


@v1.post("", operation_id="v1CreateUser", summary="Add a human or an agent user (v1, administrators)", status_code=201)
def create_v1(body: UserCreateV1, session: SessionDep, actor: CurrentActor) -> JSON:
    user = svc.create_user(session, actor, _v1_fields(body.model_dump(exclude_unset=True)))
    return JSON(serialize_v1(svc.view(actor, user), actor), status_code=201)


@v1.get("/{id}", operation_id="v1GetUser", summary="Get a user (v1)")
def get_v1(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v1(svc.get_user(session, actor, id), actor))


@v1.patch("/{id}", operation_id="v1UpdateUser", summary="Update a user (v1)")
def update_v1(id: str, body: UserUpdateV1, session: SessionDep, actor: CurrentActor) -> JSON:
    data = _v1_fields(body.model_dump(exclude_unset=True))
    return JSON(serialize_v1(svc.update_user(session, actor, id, data), actor))

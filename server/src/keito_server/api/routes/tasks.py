"""Tasks in both dialects: parse, call services.tasks, serialize. Tasks are workspace-global."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from keito_server.api.common import iso, parse_timestamp_param
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.tasks import TaskCreate, TaskUpdate
from keito_server.db.models import Task
from keito_server.services import tasks as svc
from keito_server.services.tasks import TaskFilters

v2 = APIRouter(prefix="/api/v2/tasks", tags=["Tasks"])
v1 = APIRouter(prefix="/v1/tasks", tags=["v1 Tasks"])


def serialize_v2(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "billable_by_default": t.billable_by_default,
        "default_hourly_rate": t.default_hourly_rate,
        "is_default": t.is_default,
        "is_active": t.is_active,
        "parent_task_id": t.parent_task_id,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
    }


def serialize_v1(t: Task) -> dict[str, Any]:
    body = serialize_v2(t)
    body["is_billable"] = body.pop("billable_by_default")
    return body


class ListFilters:
    def __init__(self, is_active: bool | None = None, updated_since: str | None = None) -> None:
        self.value = TaskFilters(
            is_active=is_active, updated_since=parse_timestamp_param(updated_since, "updated_since")
        )


Filters = Annotated[ListFilters, Depends()]


@v2.get("", operation_id="listTasks", summary="List tasks")
def list_v2(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    rows, total = svc.list_tasks(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "tasks", [serialize_v2(t) for t in rows], total or 0))


@v2.post("", operation_id="createTask", summary="Create a task (managers and administrators)", status_code=201)
def create_v2(body: TaskCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.create_task(session, actor, body.model_dump(exclude_unset=True))), status_code=201)


@v2.get("/{id}", operation_id="getTask", summary="Get a task")
def get_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.get_task(session, actor, id)))


@v2.patch("/{id}", operation_id="updateTask", summary="Update or archive a task (managers and administrators)")
def update_v2(id: str, body: TaskUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.update_task(session, actor, id, body.model_dump(exclude_unset=True))))


@v2.delete("/{id}", operation_id="deleteTask", summary="Delete a task no time was logged to", status_code=204)
def delete_v2(id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.delete_task(session, actor, id)
    return Response(status_code=204)


@v1.get("", operation_id="v1ListTasks", summary="List tasks (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]) -> JSON:
    rows, _ = svc.list_tasks(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize_v1(t) for t in rows]))


@v1.get("/{id}", operation_id="v1GetTask", summary="Get a task (v1)")
def get_v1(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v1(svc.get_task(session, actor, id)))

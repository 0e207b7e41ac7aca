"""Time entries in both dialects: parse, call services.time_entries, serialize."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from keito_server.api.common import DateRangeDep, id_name, iso
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.direct import Direct
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.time_entries import (
    TimeEntryCreate,
    TimeEntryCreateV1,
    TimeEntryRestart,
    TimeEntryStop,
    TimeEntryUpdate,
    TimeEntryUpdateV1,
)
from keito_server.domain.timestamps import date_text
from keito_server.services import time_entries as svc
from keito_server.services.time_entries import TimeEntryFilters, TimeEntryView

v2 = APIRouter(prefix="/api/v2/time_entries", tags=["Time Entries"])
v1 = APIRouter(prefix="/v1/time-entries", tags=["v1 Time Entries"])


def serialize_v2(view: TimeEntryView) -> dict[str, Any]:
    e = view.entry
    return {
        "id": e.id,
        "user_id": e.user_id,
        "project_id": e.project_id,
        "task_id": e.task_id,
        "client_id": view.client_id,
        "user": id_name(e.user_id, view.user_name),
        "project": id_name(e.project_id, view.project_name),
        "task": id_name(e.task_id, view.task_name),
        "spent_date": date_text(e.spent_date),
        "hours": view.hours,
        "notes": e.notes,
        "is_running": e.is_running,
        "timer_started_at": iso(e.timer_started_at),
        "started_time": e.started_time,
        "ended_time": e.ended_time,
        "is_locked": view.is_locked,
        "is_closed": e.is_closed,
        "is_billed": e.is_billed,
        "billable": e.billable,
        "budgeted": True,
        "billable_rate": e.billable_rate,
        "cost_rate": e.cost_rate,
        "approval_status": e.approval_status,
        "invoice_id": e.invoice_id,
        "source": e.source,
        "metadata": e.metadata_,
        "created_at": iso(e.created_at),
        "updated_at": iso(e.updated_at),
    }


def serialize_v1(view: TimeEntryView) -> dict[str, Any]:
    body = serialize_v2(view)
    body["is_billable"] = body.pop("billable")
    return body


class ListFilters:
    def __init__(
        self,
        dates: DateRangeDep,
        user_id: str | None = None,
        client_id: str | None = None,
        project_id: str | None = None,
        task_id: str | None = None,
        is_billed: bool | None = None,
        is_running: bool | None = None,
        source: Annotated[str | None, Query(description="Comma-separated, e.g. agent,cli.")] = None,
        session_id: Annotated[str | None, Query(description="metadata.session_id equals.")] = None,
        agent_id: Annotated[str | None, Query(description="metadata.agent_id equals.")] = None,
        approval_status: str | None = None,
    ) -> None:
        self.value = TimeEntryFilters(
            user_id=user_id,
            client_id=client_id,
            project_id=project_id,
            task_id=task_id,
            is_billed=is_billed,
            is_running=is_running,
            date_from=dates.date_from,
            date_to=dates.date_to,
            updated_since=dates.updated_since,
            source=source,
            session_id=session_id,
            agent_id=agent_id,
            approval_status=approval_status,
        )


Filters = Annotated[ListFilters, Depends()]


# ── v2 ─────────────────────────────────────────────────────────────────────────────────


@v2.get("", operation_id="listTimeEntries", summary="List time entries")
def list_v2(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    views, total = svc.list_entries(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "time_entries", [serialize_v2(v) for v in views], total or 0))


@v2.post("", operation_id="createTimeEntry", summary="Create a time entry", status_code=201)
def create_v2(body: TimeEntryCreate, session: SessionDep, actor: CurrentActor) -> JSON:
    view = svc.create_entry(session, actor, body.model_dump(exclude_unset=True))
    return JSON(serialize_v2(view), status_code=201)


@v2.get("/{id}", operation_id="getTimeEntry", summary="Get a time entry")
def get_v2(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.get_entry(session, actor, id)))


@v2.patch("/{id}", operation_id="updateTimeEntry", summary="Update a time entry")
def update_v2(id: str, body: TimeEntryUpdate, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v2(svc.update_entry(session, actor, id, body.model_dump(exclude_unset=True))))


@v2.delete("/{id}", operation_id="deleteTimeEntry", summary="Delete a time entry", status_code=204)
def delete_v2(id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.delete_entry(session, actor, id)
    return Response(status_code=204)


@v2.patch("/{id}/stop", operation_id="stopTimeEntry", summary="Stop a running time entry")
def stop_v2(id: str, session: SessionDep, actor: CurrentActor, body: TimeEntryStop | None = None) -> JSON:
    notes = body.model_dump(exclude_unset=True).get("notes", svc.UNSET) if body else svc.UNSET
    return JSON(serialize_v2(svc.stop_entry(session, actor, id, notes=notes)))


@v2.patch("/{id}/restart", operation_id="restartTimeEntry", summary="Restart a stopped time entry")
def restart_v2(id: str, session: SessionDep, actor: CurrentActor, body: TimeEntryRestart | None = None) -> JSON:
    replace = bool(body and body.replace_running)
    return JSON(serialize_v2(svc.restart_entry(session, actor, id, replace_running=replace)))


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


def _v1_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "is_billable" in data:
        data["billable"] = data.pop("is_billable")
    return data


@v1.get("", operation_id="v1ListTimeEntries", summary="List time entries (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]) -> JSON:
    views, _ = svc.list_entries(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize_v1(v) for v in views]))


@v1.post("", operation_id="v1CreateTimeEntry", summary="Create a time entry (v1)", status_code=201)
def create_v1(body: TimeEntryCreateV1, session: SessionDep, actor: CurrentActor) -> JSON:
    data = _v1_fields(body.model_dump(exclude_unset=True))
    view = svc.create_entry(session, actor, data, require_hours=True)
    return JSON(serialize_v1(view), status_code=201)


@v1.get("/{id}", operation_id="v1GetTimeEntry", summary="Get a time entry (v1)")
def get_v1(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize_v1(svc.get_entry(session, actor, id)))


@v1.patch("/{id}", operation_id="v1UpdateTimeEntry", summary="Update or stop a time entry (v1)")
def update_v1(id: str, body: TimeEntryUpdateV1, session: SessionDep, actor: CurrentActor) -> JSON:
    data = _v1_fields(body.model_dump(exclude_unset=True))
    return JSON(serialize_v1(svc.update_entry(session, actor, id, data)))


# The creates are this API's busiest writes: served by the direct lane (api/direct.py, ADR 0505,
# ADR 0506), which calls create_v2 / create_v1 above without FastAPI's per-request machinery.
DIRECT = {
    v2.prefix: Direct(create_v2, TimeEntryCreate),
    v1.prefix: Direct(create_v1, TimeEntryCreateV1),
}


@v1.delete("/{id}", operation_id="v1DeleteTimeEntry", summary="Delete a time entry (v1)", status_code=204)
def delete_v1(id: str, session: SessionDep, actor: CurrentActor) -> Response:
    svc.delete_entry(session, actor, id)
    return Response(status_code=204)


@v1.patch("/{id}/stop", operation_id="v1StopTimeEntry", summary="Stop a running time entry (v1)")
def stop_v1(id: str, session: SessionDep, actor: CurrentActor, body: TimeEntryStop | None = None) -> JSON:
    notes = body.model_dump(exclude_unset=True).get("notes", svc.UNSET) if body else svc.UNSET
    return JSON(serialize_v1(svc.stop_entry(session, actor, id, notes=notes)))


@v1.patch("/{id}/restart", operation_id="v1RestartTimeEntry", summary="Restart a stopped time entry (v1)")
def restart_v1(id: str, session: SessionDep, actor: CurrentActor, body: TimeEntryRestart | None = None) -> JSON:
    replace = bool(body and body.replace_running)
    return JSON(serialize_v1(svc.restart_entry(session, actor, id, replace_running=replace)))

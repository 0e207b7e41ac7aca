"""Timesheet approvals in both dialects: parse, call services.approvals, serialize."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from keito_server.api.common import DateRangeDep, id_name, iso
from keito_server.api.deps import CurrentActor, SessionDep
from keito_server.api.pagination import V1Paging, V2Paging
from keito_server.api.responses import JSON
from keito_server.api.schemas.approvals import ApprovalReject, ApprovalSubmit
from keito_server.services import approvals as svc
from keito_server.services.approvals import ApprovalFilters, ApprovalView
from keito_server.services.context import Actor

v2 = APIRouter(prefix="/api/v2/approvals", tags=["Approvals"])
v1 = APIRouter(prefix="/v1/approvals", tags=["v1 Approvals"])


def serialize(view: ApprovalView, actor: Actor) -> dict[str, Any]:
    a = view.approval
    return {
        "id": a.id,
        "user": id_name(a.user_id, view.user_name),
        "user_id": a.user_id,
        "period_start": a.period_start.isoformat(),
        "period_end": a.period_end.isoformat(),
        "status": a.status,
        "reason": a.reason,
        "hours": view.hours,
        "billable_hours": view.billable_hours,
        "time_entries_count": view.time_entries,
        "expenses_count": view.expenses,
        "expense_total": view.expense_total,
        "currency": actor.account.currency,
        "submitted_at": iso(a.submitted_at),
        "decided_at": iso(a.decided_at),
        "decided_by": id_name(a.decided_by_id, view.decided_by_name),
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
    }


class ListFilters:
    def __init__(self, dates: DateRangeDep, status: str | None = None, user_id: str | None = None) -> None:
        self.value = ApprovalFilters(status=status, user_id=user_id, date_from=dates.date_from, date_to=dates.date_to)


Filters = Annotated[ListFilters, Depends()]


def _submit(body: ApprovalSubmit, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.submit(session, actor, body.model_dump()), actor), status_code=201)


def _get(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.get_approval(session, actor, id), actor))


def _approve(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.approve(session, actor, id), actor))


def _reject(id: str, body: ApprovalReject, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.reject(session, actor, id, body.reason), actor))


def _withdraw(id: str, session: SessionDep, actor: CurrentActor) -> JSON:
    return JSON(serialize(svc.withdraw(session, actor, id), actor))


_SUBMIT = "Submit a period of your time and expenses for approval"
_APPROVE = "Approve a submission: its time and expenses lock (managers of the person, administrators)"
_REJECT = "Reject a submission with a reason: its time and expenses can be edited and submitted again"
_WITHDRAW = "Withdraw an approval: the submission is back to submitted (permission withdraw_approvals)"


# ── v2 ─────────────────────────────────────────────────────────────────────────────────


@v2.get("", operation_id="listApprovals", summary="List submissions: yours, or the people you manage")
def list_v2(
    request: Request, session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V2Paging, Depends()]
) -> JSON:
    views, total = svc.list_approvals(session, actor, filters.value, paging.request())
    return JSON(paging.envelope(request, "approvals", [serialize(v, actor) for v in views], total or 0))


v2.post("", operation_id="createApproval", summary=_SUBMIT, status_code=201)(_submit)
v2.get("/{id}", operation_id="getApproval", summary="Get a submission")(_get)
v2.post("/{id}/approve", operation_id="approveApproval", summary=_APPROVE)(_approve)
v2.post("/{id}/reject", operation_id="rejectApproval", summary=_REJECT)(_reject)
v2.post("/{id}/withdraw", operation_id="withdrawApproval", summary=_WITHDRAW)(_withdraw)


# ── v1 ─────────────────────────────────────────────────────────────────────────────────


@v1.get("", operation_id="v1ListApprovals", summary="List submissions (v1)")
def list_v1(session: SessionDep, actor: CurrentActor, filters: Filters, paging: Annotated[V1Paging, Depends()]) -> JSON:
    views, _ = svc.list_approvals(session, actor, filters.value, paging.request())
    return JSON(paging.envelope([serialize(v, actor) for v in views]))


v1.post("", operation_id="v1CreateApproval", summary=_SUBMIT + " (v1)", status_code=201)(_submit)
v1.get("/{id}", operation_id="v1GetApproval", summary="Get a submission (v1)")(_get)
v1.post("/{id}/approve", operation_id="v1ApproveApproval", summary=_APPROVE + " (v1)")(_approve)
v1.post("/{id}/reject", operation_id="v1RejectApproval", summary=_REJECT + " (v1)")(_reject)
v1.post("/{id}/withdraw", operation_id="v1WithdrawApproval", summary=_WITHDRAW + " (v1)")(_withdraw)

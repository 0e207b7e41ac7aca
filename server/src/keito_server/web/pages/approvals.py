"""Approvals: submit a week (from the Week view), the queue of submissions with Approve, Reject
(with a reason) and Withdraw, over services/approvals.py like the API (ADR 0904)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from keito_server.domain import permissions
from keito_server.domain.errors import KeitoError, ValidationError
from keito_server.services import approvals
from keito_server.services.approvals import STATUSES, ApprovalFilters
from keito_server.services.paging import Page
from keito_server.web.deps import CurrentWebActor, SessionDep, format_hours, redirect, render
from keito_server.web.pages.manage import day

router = APIRouter(prefix="/approvals")
SHOWN = 200


@router.get("")
def approvals_page(
    request: Request, session: SessionDep, actor: CurrentWebActor, status: str = "submitted"
) -> Response:
    status = status if status in STATUSES or status == "all" else "submitted"
    filters = ApprovalFilters(status=None if status == "all" else status)
    rows, total = approvals.list_approvals(session, actor, filters, Page(limit=SHOWN))
    return render(
        request,
        "approvals/index.html",
        {
            "rows": rows,
            "total": total,
            "status": status,
            "tabs": [("submitted", "Submitted"), ("approved", "Approved"), ("rejected", "Rejected"), ("all", "All")],
            "may_withdraw": actor.may(permissions.WITHDRAW_APPROVALS),
        },
    )


@router.post("")
def submit(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    period_start: Annotated[str, Form()] = "",
    period_end: Annotated[str, Form()] = "",
) -> Response:
    back = f"/time/week/{period_start}" if period_start else "/approvals"
    try:
        start, end = day(period_start, "period_start", "The first day"), day(period_end, "period_end", "The last day")
        if start is None or end is None:
            raise ValidationError("Pick the period's first and last day.", field="period_start")
        view = approvals.submit(session, actor, {"period_start": start, "period_end": end})
    except KeitoError as exc:
        session.rollback()
        return redirect(back, request, error=exc.message)
    n = view.time_entries + view.expenses
    return redirect(
        back, request, flash=f"Submitted for approval: {n} {'item' if n == 1 else 'items'}, {format_hours(view.hours)}."
    )


@router.post("/{approval_id}/{action}")
def decide(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    approval_id: str,
    action: str,
    reason: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "submitted",
) -> Response:
    back = f"/approvals?status={status}" if status in (*STATUSES, "all") else "/approvals"
    try:
        if action == "approve":
            view = approvals.approve(session, actor, approval_id)
        elif action == "reject":
            view = approvals.reject(session, actor, approval_id, reason)
        elif action == "withdraw":
            view = approvals.withdraw(session, actor, approval_id)
        else:
            return redirect(back, request, error="Unknown action.")
    except KeitoError as exc:
        session.rollback()
        return redirect(back, request, error=exc.message)
    done = {"approved": "Approved", "rejected": "Rejected", "submitted": "Approval withdrawn"}[view.approval.status]
    return redirect(
        back, request, flash=f"{done}: {view.user_name}, {view.approval.period_start} – {view.approval.period_end}."
    )

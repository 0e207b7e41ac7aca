"""Timesheet approvals (decisions §5, inventory §1.12, ADR 0904).

A person submits a period: every stopped time entry and expense of theirs in it that is
unsubmitted or was rejected joins one ``Approval`` and becomes ``submitted`` (read-only for them).
A manager who may see them (services.teammates), or an administrator, approves it (the rows lock
and become invoiceable) or rejects it with a reason (the rows are editable again and can be
submitted anew). A manager with the "withdraw approvals" permission, or an administrator, turns an
approval back into a submission. Nobody but an administrator approves their own time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Select, case, func, select, type_coerce, update
from sqlalchemy.orm import Session

from keito_server.db.models import Approval, Expense, TimeEntry, User
from keito_server.domain import errors, permissions
from keito_server.domain.durations import seconds_to_hours
from keito_server.domain.errors import Conflict, PermissionDenied, RuleViolation, ValidationError
from keito_server.domain.ids import new_id
from keito_server.domain.money import from_micros
from keito_server.services import teammates
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page

STATUSES = ("submitted", "approved", "rejected")
MAX_PERIOD_DAYS = 366
MAX_REASON = 2000
_OPEN = ("unsubmitted", "rejected")  # rows a submission picks up


@dataclass(frozen=True)
class ApprovalFilters:
    status: str | None = None
    user_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class ApprovalView:
    approval: Approval
    user_name: str
    decided_by_name: str | None
    seconds: int
    billable_seconds: int
    time_entries: int
    expenses: int
    expense_total: Decimal

    @property
    def hours(self) -> Decimal:
        return seconds_to_hours(self.seconds)

    @property
    def billable_hours(self) -> Decimal:
        return seconds_to_hours(self.billable_seconds)


# ── reads ──────────────────────────────────────────────────────────────────────────────


def list_approvals(
    session: Session, actor: Actor, filters: ApprovalFilters, page: Page
) -> tuple[list[ApprovalView], int | None]:
    q: Select[Any] = select(Approval).where(Approval.account_id == actor.account_id)
    if (visible := teammates.scope(actor, Approval.user_id)) is not None:
        q = q.where(visible)
    if filters.status:
        if filters.status not in STATUSES:
            raise ValidationError(f"status must be one of {', '.join(STATUSES)}.", field="status")
        q = q.where(Approval.status == filters.status)
    if filters.user_id:
        q = q.where(Approval.user_id == filters.user_id)
    if filters.date_from:
        q = q.where(Approval.period_end >= filters.date_from)
    if filters.date_to:
        q = q.where(Approval.period_start <= filters.date_to)
    rows, total = fetch_page(session, q.order_by(Approval.submitted_at.desc(), Approval.id.desc()), page)
    return views(session, rows), total


def get_approval(session: Session, actor: Actor, approval_id: str) -> ApprovalView:
    return views(session, [_visible(session, actor, approval_id)])[0]


def views(session: Session, approvals: list[Approval]) -> list[ApprovalView]:
    """Totals of each approval's rows in two grouped queries, whatever the number of approvals."""
    if not approvals:
        return []
    ids = [a.id for a in approvals]
    billable = func.sum(case((TimeEntry.billable.is_(True), TimeEntry.duration_seconds), else_=0))
    time_rows = session.execute(
        select(TimeEntry.approval_id, func.sum(TimeEntry.duration_seconds), billable, func.count())
        .where(TimeEntry.approval_id.in_(ids))
        .group_by(TimeEntry.approval_id)
    ).all()
    expense_rows = session.execute(
        select(Expense.approval_id, func.sum(type_coerce(Expense.total_cost, BigInteger)), func.count())
        .where(Expense.approval_id.in_(ids))
        .group_by(Expense.approval_id)
    ).all()
    time_totals = {r[0]: (int(r[1] or 0), int(r[2] or 0), int(r[3])) for r in time_rows}
    expense_totals = {r[0]: (int(r[1] or 0), int(r[2])) for r in expense_rows}
    people = {a.user_id for a in approvals} | {a.decided_by_id for a in approvals if a.decided_by_id}
    names = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(people)))}
    out = []
    for a in approvals:
        seconds, billable_seconds, n_time = time_totals.get(a.id, (0, 0, 0))
        micros, n_expenses = expense_totals.get(a.id, (0, 0))
        out.append(
            ApprovalView(
                approval=a,
                user_name=names.get(a.user_id, a.user_id),
                decided_by_name=names.get(a.decided_by_id) if a.decided_by_id else None,
                seconds=seconds,
                billable_seconds=billable_seconds,
                time_entries=n_time,
                expenses=n_expenses,
                expense_total=from_micros(micros) or Decimal(0),
            )
        )
    return out


def _visible(session: Session, actor: Actor, approval_id: str) -> Approval:
    approval = get_scoped(session, Approval, approval_id, actor.account_id, "Approval")
    if not teammates.can_see(session, actor, approval.user_id):
        raise errors.NotFound("Approval")
    return approval


# ── writes ─────────────────────────────────────────────────────────────────────────────


def submit(session: Session, actor: Actor, data: dict[str, Any]) -> ApprovalView:
    """Submit one person's unsubmitted (or rejected) time and expenses of a period."""
    if not actor.account.feature_approvals:
        raise RuleViolation(
            "Approvals are turned off in this workspace (Settings → Company).", code=errors.APPROVALS_DISABLED
        )
    start, end = data["period_start"], data["period_end"]
    if end < start:
        raise ValidationError("period_end cannot be before period_start.", field="period_end")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError(f"A submission covers at most {MAX_PERIOD_DAYS} days.", field="period_end")
    user = teammates.target_user(session, actor, data.get("user_id"), "submit other people's time")
    approval = Approval(
        id=new_id("approval"),
        account_id=actor.account_id,
        user_id=user.id,
        period_start=start,
        period_end=end,
        status="submitted",
    )
    session.add(approval)
    session.flush()
    moved = 0
    for model, extra in ((TimeEntry, (TimeEntry.is_running.is_(False),)), (Expense, ())):
        result = session.execute(
            update(model)
            .where(
                model.account_id == actor.account_id,
                model.user_id == user.id,
                model.spent_date.between(start, end),
                model.approval_status.in_(_OPEN),
                model.is_billed.is_(False),
                *extra,
            )
            .values(approval_status="submitted", approval_id=approval.id)
            .execution_options(synchronize_session=False)
        )
        moved += result.rowcount or 0  # type: ignore[attr-defined]
    if moved == 0:
        name = user.name  # before the rollback expires it (reading it after would reopen a transaction)
        session.rollback()
        raise RuleViolation(
            f"Nothing to submit: {name} has no unsubmitted or rejected time or expenses "
            f"from {start} to {end} (running timers are submitted once stopped).",
            code=errors.NOTHING_TO_SUBMIT,
        )
    audit(session, actor.account_id, actor.user_id, "approval.submitted", approval.id, {"user_id": user.id})
    session.commit()
    return views(session, [approval])[0]


def approve(session: Session, actor: Actor, approval_id: str) -> ApprovalView:
    approval = _decidable(session, actor, approval_id, "approve")
    return _decide(session, actor, approval, "approved", None)


def reject(session: Session, actor: Actor, approval_id: str, reason: str | None) -> ApprovalView:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why in reason, so the person knows what to fix.", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"reason is at most {MAX_REASON} characters.", field="reason")
    approval = _decidable(session, actor, approval_id, "reject")
    return _decide(session, actor, approval, "rejected", reason)


def withdraw(session: Session, actor: Actor, approval_id: str) -> ApprovalView:
    """An approval goes back to submitted, its rows unlocked for the reviewer (not for the person)."""
    approval = _visible(session, actor, approval_id)
    actor.require_manager("withdraw approvals", permissions.WITHDRAW_APPROVALS)
    if approval.status != "approved":
        raise Conflict(
            f"Only an approved submission can be withdrawn; this one is {approval.status}.", code=errors.APPROVAL_STATE
        )
    billed = session.scalar(
        select(func.count()).select_from(TimeEntry).where(TimeEntry.approval_id == approval.id, TimeEntry.is_billed)
    ) or session.scalar(
        select(func.count()).select_from(Expense).where(Expense.approval_id == approval.id, Expense.is_billed)
    )
    if billed:
        raise Conflict(
            "Some of this time or these expenses are on an invoice; remove them from the invoice first.",
            code=errors.ENTRY_LOCKED,
        )
    return _decide(session, actor, approval, "submitted", None)


def _decidable(session: Session, actor: Actor, approval_id: str, verb: str) -> Approval:
    approval = _visible(session, actor, approval_id)
    actor.require_manager(f"{verb} timesheets")
    if approval.user_id == actor.user_id and not actor.is_admin:
        raise PermissionDenied(f"You cannot {verb} your own time; an administrator or another manager does.")
    if approval.status != "submitted":
        raise Conflict(f"This submission is already {approval.status}.", code=errors.APPROVAL_STATE)
    return approval


def _decide(session: Session, actor: Actor, approval: Approval, status: str, reason: str | None) -> ApprovalView:
    for model in (TimeEntry, Expense):
        session.execute(
            update(model)
            .where(model.approval_id == approval.id, model.account_id == actor.account_id)
            .values(approval_status=status)
            .execution_options(synchronize_session=False)
        )
    approval.status = status
    approval.reason = reason
    approval.decided_by_id = None if status == "submitted" else actor.user_id
    approval.decided_at = None if status == "submitted" else datetime.now(UTC)
    audit(session, actor.account_id, actor.user_id, f"approval.{status}", approval.id, {"reason": reason})
    session.commit()
    return views(session, [approval])[0]

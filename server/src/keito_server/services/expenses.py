"""Expenses: create, update, delete, list, and their receipts. Owns every rule of decisions §4;
api/ and web/ only translate.

Inputs are plain dicts of the fields the caller actually sent (so PATCH can tell "absent" from
``null``), already type-checked by the API schemas or the web forms. How a total is reached is
``domain.expense_costs``; model prices come from ``services.pricing``. Receipt files live under
a directory the caller passes in (the data directory's ``receipts/``), one folder per
workspace; no HTTP types reach this module.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Select, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from keito_server.db.models import Expense, ExpenseCategory, Project, User
from keito_server.domain import errors
from keito_server.domain.errors import (
    Conflict,
    KeitoError,
    PayloadTooLarge,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from keito_server.domain.expense_costs import (
    CostDecision,
    CostInputs,
    breakdown_from_json,
    breakdown_to_json,
    decide,
    needs_amount,
)
from keito_server.domain.ids import new_id
from keito_server.domain.metadata import AGENT_KEY, SESSION_KEY, check_metadata, indexed_key, merge_metadata
from keito_server.domain.money import from_micros
from keito_server.domain.sources import EXPENSE_SOURCES, check_source, parse_source_filter
from keito_server.services import pricing, teammates
from keito_server.services.common import audit, ensure_can_log, get_scoped
from keito_server.services.context import Actor
from keito_server.services.expense_categories import LLM_USAGE_ALIAS, is_llm_usage, resolve
from keito_server.services.paging import Page, fetch_page

# Receipts: at most 10 MB, and only these kinds, recognised by their first bytes (not by the
# name or the Content-Type the client claims).
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
_RECEIPT_KINDS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
)
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")
# What the caller explicitly gave, kept with the breakdown so a PATCH can re-price.
_INPUTS = "_inputs"
APPROVAL_STATUSES = ("unsubmitted", "submitted", "approved", "rejected")
# Creating an expense in a workspace whose administrator turned expenses off (403).
FEATURE_DISABLED = "feature_disabled"


class UnsupportedReceipt(KeitoError):
    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class ExpenseView:
    """An expense with what both dialects and the web app show next to it."""

    expense: Expense
    user_name: str
    project_name: str
    category_id: str  # public id (cat_llm_usage for LLM Usage)
    category_name: str
    client_id: str | None
    is_locked: bool
    cost_breakdown: dict[str, Any]

    @property
    def is_unpriced(self) -> bool:
        return self.expense.pricing_method == "unpriced"


@dataclass(frozen=True)
class ExpenseFilters:
    user_id: str | None = None
    client_id: str | None = None
    project_id: str | None = None
    expense_category_id: str | None = None
    is_billed: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    updated_since: datetime | None = None
    source: str | None = None  # comma-separated
    session_id: str | None = None
    agent_id: str | None = None
    approval_status: str | None = None
    is_unpriced: bool | None = None
    billable: bool | None = None


@dataclass(frozen=True)
class ReceiptFile:
    path: Path
    file_name: str
    content_type: str


# ── reads ──────────────────────────────────────────────────────────────────────────────


def list_expenses(
    session: Session, actor: Actor, filters: ExpenseFilters, page: Page
) -> tuple[list[ExpenseView], int | None]:
    q = _filtered(session, actor, filters).order_by(Expense.spent_date.desc(), Expense.id.desc())
    rows, total = fetch_page(session, q, page)
    return views(session, actor, rows), total


@dataclass(frozen=True)
class ExpenseTotals:
    """Sums over every expense a filter matches, not only the page shown."""

    count: int
    amount: Decimal
    billable_amount: Decimal
    unpriced: int


def totals(session: Session, actor: Actor, filters: ExpenseFilters) -> ExpenseTotals:
    rows = _filtered(session, actor, filters).subquery()
    micros = type_coerce(rows.c.total_cost, BigInteger)
    count, amount, billable, unpriced = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(micros), 0),
            func.coalesce(func.sum(case((rows.c.billable.is_(True), micros), else_=0)), 0),
            func.coalesce(func.sum(case((rows.c.pricing_method == "unpriced", 1), else_=0)), 0),
        ).select_from(rows)
    ).one()
    return ExpenseTotals(
        int(count), from_micros(int(amount)) or Decimal(0), from_micros(int(billable)) or Decimal(0), int(unpriced)
    )


def _filtered(session: Session, actor: Actor, f: ExpenseFilters) -> Select[Any]:
    q = select(Expense).where(Expense.account_id == actor.account_id)
    visible = teammates.scope(actor, Expense.user_id)
    if visible is not None:
        q = q.where(visible)
    c = []
    if f.user_id:
        c.append(Expense.user_id == f.user_id)
    if f.project_id:
        c.append(Expense.project_id == f.project_id)
    if f.client_id:
        c.append(Expense.project_id.in_(select(Project.id).where(Project.client_id == f.client_id)))
    if f.expense_category_id:
        category_id = f.expense_category_id
        if category_id == LLM_USAGE_ALIAS:
            category_id = resolve(session, actor.account_id, category_id).id
        c.append(Expense.expense_category_id == category_id)
    if f.is_billed is not None:
        c.append(Expense.is_billed.is_(f.is_billed))
    if f.date_from:
        c.append(Expense.spent_date >= f.date_from)
    if f.date_to:
        c.append(Expense.spent_date <= f.date_to)
    if f.updated_since:
        c.append(Expense.updated_at >= f.updated_since)
    sources = parse_source_filter(f.source, EXPENSE_SOURCES)
    if sources:
        c.append(Expense.source.in_(sources))
    if f.session_id:
        c.append(Expense.session_id == f.session_id)
    if f.agent_id:
        c.append(Expense.agent_id == f.agent_id)
    if f.approval_status:
        if f.approval_status not in APPROVAL_STATUSES:
            raise ValidationError(
                f"approval_status must be one of {', '.join(APPROVAL_STATUSES)}.", field="approval_status"
            )
        c.append(Expense.approval_status == f.approval_status)
    if f.billable is not None:
        c.append(Expense.billable.is_(f.billable))
    if f.is_unpriced is not None:
        c.append((Expense.pricing_method == "unpriced") if f.is_unpriced else (Expense.pricing_method != "unpriced"))
    return q.where(and_(*c)) if c else q


def get_expense(session: Session, actor: Actor, expense_id: str) -> ExpenseView:
    return views(session, actor, [_visible(session, actor, expense_id)])[0]


def views(session: Session, actor: Actor, expenses: list[Expense]) -> list[ExpenseView]:
    """Views for many expenses in a fixed number of queries (no N+1)."""
    if not expenses:
        return []
    users = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_({e.user_id for e in expenses})))}
    projects = {
        p.id: p for p in session.scalars(select(Project).where(Project.id.in_({e.project_id for e in expenses})))
    }
    categories = {
        c.id: c
        for c in session.scalars(
            select(ExpenseCategory).where(ExpenseCategory.id.in_({e.expense_category_id for e in expenses}))
        )
    }
    out = []
    for e in expenses:
        project = projects.get(e.project_id)
        category = categories.get(e.expense_category_id)
        stored = breakdown_from_json(e.cost_breakdown) or {"method": e.pricing_method}
        out.append(
            ExpenseView(
                expense=e,
                user_name=users.get(e.user_id, ""),
                project_name=project.name if project else "",
                category_id=LLM_USAGE_ALIAS
                if category is not None and is_llm_usage(category)
                else e.expense_category_id,
                category_name=category.name if category else "",
                client_id=project.client_id if project else None,
                is_locked=_lock_reason(e) is not None,
                cost_breakdown={k: v for k, v in stored.items() if not k.startswith("_")},
            )
        )
    return out


def _visible(session: Session, actor: Actor, expense_id: str, doing: str | None = None) -> Expense:
    """The expense if the actor may see it (404 otherwise); with ``doing``, also change it."""
    expense = get_scoped(session, Expense, expense_id, actor.account_id, "Expense")
    if not teammates.can_see(session, actor, expense.user_id):
        raise errors.NotFound("Expense")
    if doing:
        teammates.require_team_edit(actor, expense.user_id, doing)
    return expense


# ── writes ─────────────────────────────────────────────────────────────────────────────


def create_expense(session: Session, actor: Actor, data: dict[str, Any], *, default_source: str = "api") -> ExpenseView:
    account = actor.account
    if not account.feature_expenses:
        raise PermissionDenied(
            "Expenses are turned off in this workspace; an administrator can turn them on in Settings.",
            code=FEATURE_DISABLED,
        )
    _check_amounts(data)
    metadata = check_metadata(data.get("metadata"))
    source = check_source(data.get("source") or default_source, EXPENSE_SOURCES)
    spent_date: date = data["spent_date"]
    user = teammates.target_user(session, actor, data.get("user_id"), "log expenses for other people")
    project = _project(session, actor, data.get("project_id"))
    category = _category(session, actor, data.get("expense_category_id"))
    ensure_can_log(session, user, project)

    explicit = {k: data.get(k) for k in ("total_cost", "units", "unit_price")}
    decision = _price(actor, category, explicit, metadata, spent_date)
    expense = Expense(
        id=new_id("expense"),
        account_id=account.id,
        user_id=user.id,
        project_id=project.id,
        expense_category_id=category.id,
        spent_date=spent_date,
        notes=data.get("notes"),
        source=source,
        metadata_=metadata,
        session_id=indexed_key(metadata, SESSION_KEY),
        agent_id=indexed_key(metadata, AGENT_KEY),
    )
    _apply_decision(expense, decision, explicit)
    expense.billable = _billable(project, category, data.get("billable"))
    session.add(expense)
    audit(
        session,
        account.id,
        actor.user_id,
        "expense.created",
        expense.id,
        {"source": source, "method": decision.method, "total_cost": decision.total_cost},
    )
    session.commit()
    return views(session, actor, [expense])[0]


def update_expense(session: Session, actor: Actor, expense_id: str, changes: dict[str, Any]) -> ExpenseView:
    expense = _visible(session, actor, expense_id, "edit other people's expenses")
    if "source" in changes and changes["source"] is not None and changes["source"] != expense.source:
        raise ValidationError("source cannot change after an expense is created.", field="source")
    _check_editable(actor, expense)
    _check_amounts(changes)
    for required in ("project_id", "expense_category_id", "spent_date"):
        if required in changes and changes[required] is None:
            raise ValidationError(f"{required} cannot be null.", field=required)
    if changes.get("spent_date") is not None:
        expense.spent_date = changes["spent_date"]
    project = session.get(Project, expense.project_id)
    if changes.get("project_id") is not None and changes["project_id"] != expense.project_id:
        project = _project(session, actor, changes["project_id"])
        user = session.get(User, expense.user_id)
        assert user is not None
        ensure_can_log(session, user, project)
        expense.project_id = project.id
    category = session.get(ExpenseCategory, expense.expense_category_id)
    if changes.get("expense_category_id") is not None:
        new_category = resolve(session, actor.account_id, changes["expense_category_id"], field="expense_category_id")
        if new_category.id != expense.expense_category_id:
            category = _category(session, actor, changes["expense_category_id"])
            expense.expense_category_id = category.id
    assert project is not None and category is not None
    if "notes" in changes:
        expense.notes = changes["notes"]
    if "metadata" in changes:
        expense.metadata_ = merge_metadata(expense.metadata_, changes["metadata"])
        expense.session_id = indexed_key(expense.metadata_, SESSION_KEY)
        expense.agent_id = indexed_key(expense.metadata_, AGENT_KEY)
    if {"total_cost", "units", "unit_price", "expense_category_id", "metadata"} & set(changes):
        explicit = dict((expense.cost_breakdown or {}).get(_INPUTS) or {})
        explicit = {k: _stored_input(k, explicit.get(k)) for k in ("total_cost", "units", "unit_price")}
        explicit.update({k: changes[k] for k in ("total_cost", "units", "unit_price") if k in changes})
        decision = _price(actor, category, explicit, expense.metadata_, expense.spent_date)
        _apply_decision(expense, decision, explicit)
    if "billable" in changes or "project_id" in changes or "expense_category_id" in changes:
        expense.billable = _billable(project, category, changes.get("billable"))
    audit(session, actor.account_id, actor.user_id, "expense.updated", expense.id, changes)
    session.commit()
    return views(session, actor, [expense])[0]


def delete_expense(session: Session, actor: Actor, expense_id: str, receipts_dir: Path | None = None) -> None:
    expense = _visible(session, actor, expense_id, "delete other people's expenses")
    _check_editable(actor, expense)
    old_receipt = expense.receipt_path
    audit(session, actor.account_id, actor.user_id, "expense.deleted", expense.id)
    session.delete(expense)
    session.commit()
    if old_receipt and receipts_dir is not None:
        _unlink(receipts_dir / old_receipt)


# ── receipts ───────────────────────────────────────────────────────────────────────────


def attach_receipt(
    session: Session, actor: Actor, expense_id: str, file_name: str | None, content: bytes, receipts_dir: Path
) -> ExpenseView:
    """Store ``content`` as the expense's one receipt, replacing any earlier one."""
    expense = _visible(session, actor, expense_id, "change other people's receipts")
    _check_editable(actor, expense)
    if len(content) > MAX_RECEIPT_BYTES:
        raise PayloadTooLarge(
            f"The receipt is {len(content)} bytes; the limit is {MAX_RECEIPT_BYTES} bytes (10 MB).", field="receipt"
        )
    if not content:
        raise ValidationError("The receipt file is empty.", field="receipt")
    kind = next(((ctype, ext) for magic, ctype, ext in _RECEIPT_KINDS if content.startswith(magic)), None)
    if kind is None:
        raise UnsupportedReceipt("A receipt must be a PNG, JPEG, GIF or PDF file.", field="receipt")
    content_type, ext = kind
    # A fresh name per upload: the row and the file change together, and a failed commit
    # leaves the previous receipt intact.
    relative = f"{expense.account_id}/{expense.id}-{secrets.token_hex(4)}.{ext}"
    target = receipts_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target, then rename: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, target)
    except BaseException:
        _unlink(Path(tmp))
        raise
    old = expense.receipt_path
    expense.receipt_path = relative
    expense.receipt_file_name = _safe_name(file_name, ext)
    expense.receipt_content_type = content_type
    audit(session, actor.account_id, actor.user_id, "expense.receipt_attached", expense.id, {"bytes": len(content)})
    try:
        session.commit()
    except BaseException:
        session.rollback()
        _unlink(target)
        raise
    if old and old != relative:
        _unlink(receipts_dir / old)
    return views(session, actor, [expense])[0]


def receipt_file(session: Session, actor: Actor, expense_id: str, receipts_dir: Path) -> ReceiptFile:
    expense = _visible(session, actor, expense_id)
    if not expense.receipt_path:
        raise errors.NotFound("Receipt")
    path = receipts_dir / expense.receipt_path
    if not path.is_file():
        raise errors.NotFound("Receipt")
    return ReceiptFile(
        path=path,
        file_name=expense.receipt_file_name or path.name,
        content_type=expense.receipt_content_type or "application/octet-stream",
    )


def remove_receipt(session: Session, actor: Actor, expense_id: str, receipts_dir: Path) -> None:
    expense = _visible(session, actor, expense_id, "change other people's receipts")
    _check_editable(actor, expense)
    if not expense.receipt_path:
        raise errors.NotFound("Receipt")
    old = expense.receipt_path
    expense.receipt_path = expense.receipt_file_name = expense.receipt_content_type = None
    audit(session, actor.account_id, actor.user_id, "expense.receipt_removed", expense.id)
    session.commit()
    _unlink(receipts_dir / old)


def _safe_name(name: str | None, ext: str) -> str:
    base = _UNSAFE_NAME.sub("_", os.path.basename((name or "").replace("\\", "/"))).strip(" ._")
    return (base or f"receipt.{ext}")[:255]


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


# ── rules ──────────────────────────────────────────────────────────────────────────────


def _price(
    actor: Actor,
    category: ExpenseCategory,
    explicit: dict[str, Any],
    metadata: dict[str, Any] | None,
    spent_date: date,
) -> CostDecision:
    inputs = CostInputs(
        total_cost=explicit.get("total_cost"),
        units=explicit.get("units"),
        unit_price=explicit.get("unit_price"),
        category_unit_price=category.unit_price if category.unit_name else None,
        is_llm_usage=is_llm_usage(category),
        metadata=metadata,
        currency=actor.account.currency or "USD",
        usd_exchange_rate=actor.account.usd_exchange_rate,
    )
    if needs_amount(inputs):
        hint = " (or, for LLM Usage, metadata with model and token counts)" if inputs.is_llm_usage else ""
        raise ValidationError(f"Give total_cost or units{hint}.", field="total_cost")
    return decide(inputs, lambda usage: pricing.quote(usage, spent_date))


def _apply_decision(expense: Expense, decision: CostDecision, explicit: dict[str, Any]) -> None:
    expense.total_cost = decision.total_cost
    expense.units = decision.units
    expense.unit_price = decision.unit_price
    expense.pricing_method = decision.method
    stored = breakdown_to_json(decision.breakdown)
    stored[_INPUTS] = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in explicit.items()}
    expense.cost_breakdown = stored


def _stored_input(key: str, value: Any) -> Any:
    if value is None:
        return None
    return int(value) if key == "units" else Decimal(str(value))


def _check_amounts(data: dict[str, Any]) -> None:
    """The API schemas check these too; the web forms and other callers rely on this."""
    units = data.get("units")
    if units is not None and (isinstance(units, bool) or not isinstance(units, int) or units < 1):
        raise ValidationError("units must be a whole number, 1 or more.", field="units")
    for key in ("total_cost", "unit_price"):
        value = data.get(key)
        if value is not None and (not isinstance(value, Decimal) or value < 0):
            raise ValidationError(f"{key} must be a number, 0 or more.", field=key)


def _billable(project: Project, category: ExpenseCategory, billable: bool | None) -> bool:
    """Defaults from the category and the project; a non-billable project bills nothing."""
    if not project.is_billable:
        return False
    return category.billable_by_default if billable is None else bool(billable)


def _project(session: Session, actor: Actor, project_id: str | None) -> Project:
    project = get_scoped(session, Project, project_id, actor.account_id, "Project", field="project_id")
    if not project.is_active:
        raise RuleViolation(
            f"Project '{project.name}' is archived; expenses cannot be logged on it.", field="project_id"
        )
    return project


def _category(session: Session, actor: Actor, category_id: str | None) -> ExpenseCategory:
    category = resolve(session, actor.account_id, category_id, field="expense_category_id")
    if not category.is_active:
        raise RuleViolation(f"Expense category '{category.name}' is archived.", field="expense_category_id")
    return category


def _lock_reason(expense: Expense) -> str | None:
    if expense.is_billed:
        return "it has been invoiced"
    if expense.approval_status == "approved":
        return "it has been approved (an administrator can withdraw the approval to edit it)"
    return None


def _check_editable(actor: Actor, expense: Expense) -> None:
    reason = _lock_reason(expense)
    if reason is None and expense.approval_status == "submitted" and not actor.is_manager:
        reason = "it is submitted for approval"
    if reason:
        raise Conflict(f"This expense is locked: {reason}.", code=errors.ENTRY_LOCKED)

"""Invoices, their messages and payments (inventory §1.14, Harvest v2).

Owns: numbering (``Account.next_invoice_number`` under a row lock), the draft → open → paid /
closed life cycle, linking imported time and expenses (``is_billed`` + ``invoice_id``, which
locks them), and releasing them when a draft is deleted. Arithmetic lives in
``domain.invoice_math``; nothing here rounds money.

No e-mail leaves the server: a "send" message is recorded and moves the invoice to ``open``
(ADR 0401). Invoices are a manager's tool: members get a 403 on every invoice route.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keito_server.db.models import (
    Account,
    Client,
    Expense,
    ExpenseCategory,
    Invoice,
    InvoiceLineItem,
    InvoiceMessage,
    InvoicePayment,
    Project,
    Task,
    TimeEntry,
    User,
)
from keito_server.domain import invoice_math, permissions
from keito_server.domain.durations import seconds_to_hours
from keito_server.domain.errors import Conflict, NotFound, RuleViolation, ValidationError
from keito_server.domain.ids import new_id
from keito_server.domain.timers import local_today
from keito_server.services.common import audit, get_scoped
from keito_server.services.context import Actor
from keito_server.services.paging import Page, fetch_page

IMPORT_GROUPS = ("project", "task", "person", "detailed")
MESSAGE_EVENTS = ("send", "reminder", "thank_you", "close", "re-open", "draft")
_EVENT_ALIASES = {"re_open": "re-open", "reopen": "re-open"}
MAX_NUMBER_ATTEMPTS = 5
ZERO = Decimal(0)


@dataclass(frozen=True)
class InvoiceFilters:
    client_id: str | None = None
    state: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    updated_since: datetime | None = None


@dataclass
class InvoiceView:
    invoice: Invoice
    client_name: str | None
    creator: User | None
    line_items: list[InvoiceLineItem] = field(default_factory=list)


# ── reads ──────────────────────────────────────────────────────────────────────────────


def list_invoices(
    session: Session, actor: Actor, filters: InvoiceFilters, page: Page
) -> tuple[list[InvoiceView], int | None]:
    actor.require_manager("see invoices")
    q: Select[Any] = select(Invoice).where(Invoice.account_id == actor.account_id)
    if filters.state and filters.state not in invoice_math.STATES:
        raise ValidationError("state must be draft, open, paid or closed.", field="state")
    conditions = []
    if filters.client_id:
        conditions.append(Invoice.client_id == filters.client_id)
    if filters.state:
        conditions.append(Invoice.state == filters.state)
    if filters.date_from:
        conditions.append(Invoice.issue_date >= filters.date_from)
    if filters.date_to:
        conditions.append(Invoice.issue_date <= filters.date_to)
    if filters.updated_since:
        conditions.append(Invoice.updated_at >= filters.updated_since)
    if conditions:
        q = q.where(and_(*conditions))
    rows, total = fetch_page(session, q.order_by(Invoice.issue_date.desc(), Invoice.id.desc()), page)
    return views(session, rows), total


def get_invoice(session: Session, actor: Actor, invoice_id: str) -> InvoiceView:
    return views(session, [_invoice(session, actor, invoice_id, "see invoices")])[0]


def views(session: Session, invoices: list[Invoice]) -> list[InvoiceView]:
    """Views for many invoices in three queries, whatever their number."""
    if not invoices:
        return []
    ids = [i.id for i in invoices]
    clients = dict(
        _pairs(session, select(Client.id, Client.name).where(Client.id.in_({i.client_id for i in invoices})))
    )
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({i.created_by_id for i in invoices})))}
    items: dict[str, list[InvoiceLineItem]] = defaultdict(list)
    for li in session.scalars(
        select(InvoiceLineItem)
        .where(InvoiceLineItem.invoice_id.in_(ids))
        .order_by(InvoiceLineItem.position, InvoiceLineItem.id)
    ):
        items[li.invoice_id].append(li)
    return [InvoiceView(i, clients.get(i.client_id), users.get(i.created_by_id), items[i.id]) for i in invoices]


def _invoice(
    session: Session, actor: Actor, invoice_id: str, doing: str, *, lock: bool = False, permission: str | None = None
) -> Invoice:
    # The existence check comes first so another workspace's id is a 404 even for a member.
    invoice = get_scoped(session, Invoice, invoice_id, actor.account_id, "Invoice")
    actor.require_manager(doing, permission)
    if lock and session.get_bind().dialect.name != "sqlite":
        session.refresh(invoice, with_for_update=True)
    return invoice


# ── create / update / delete ───────────────────────────────────────────────────────────


def create_invoice(session: Session, actor: Actor, data: dict[str, Any]) -> InvoiceView:
    """Create a draft from explicit ``line_items`` and/or an ``import`` of uninvoiced billable
    time and expenses of the client's projects (see ``_import_lines``)."""
    actor.require_manager("create invoices", permissions.DRAFT_INVOICES)
    client = get_scoped(session, Client, data.get("client_id"), actor.account_id, "Client", field="client_id")
    account = _locked_account(session, actor.account_id)
    issue_date: date = data.get("issue_date") or local_today(account.timezone)
    currency = (data.get("currency") or client.currency or account.currency).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError("currency must be a 3-letter ISO code such as USD.", field="currency")
    payment_term = data.get("payment_term") or client.payment_terms or "net_30"
    if payment_term not in invoice_math.PAYMENT_TERMS:
        raise ValidationError(
            "payment_term must be upon_receipt, net_15, net_30, net_45, net_60 or custom.", field="payment_term"
        )
    due_date = data.get("due_date") or invoice_math.due_date_for(issue_date, payment_term, client.payment_days)
    if due_date is None:
        raise ValidationError("A custom payment_term needs a due_date.", field="due_date")
    _check_dates(issue_date, due_date, data.get("period_start"), data.get("period_end"))
    invoice = Invoice(
        id=new_id("invoice"),
        account_id=account.id,
        client_id=client.id,
        created_by_id=actor.user_id,
        number="",
        purchase_order=data.get("purchase_order"),
        subject=data.get("subject"),
        state="draft",
        tax=_pct(data, "tax", client.tax),
        tax2=_pct(data, "tax2", client.tax2),
        discount=_pct(data, "discount", client.discount),
        currency=currency,
        issue_date=issue_date,
        due_date=due_date,
        payment_term=payment_term,
        notes=data.get("notes"),
        period_start=data.get("period_start"),
        period_end=data.get("period_end"),
    )
    lines = [_line(invoice, pos, li) for pos, li in enumerate(data.get("line_items") or [])]
    spec = data.get("import")
    linked: tuple[list[str], list[str]] = ([], [])
    if spec:
        imported, linked = _import_lines(session, actor, invoice, client, spec, first_position=len(lines))
        lines += imported
        invoice.period_start = invoice.period_start or spec["from"]
        invoice.period_end = invoice.period_end or spec["to"]
    _recompute(invoice, lines, paid=ZERO)
    invoice.number = _take_number(account, data.get("number"), issue_date)
    session.add(invoice)
    session.add_all(lines)
    session.flush()
    _link(session, actor, invoice.id, *linked)
    audit(session, account.id, actor.user_id, "invoice.created", invoice.id, {"number": invoice.number})
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            f"Invoice number {invoice.number} is already used in this workspace; choose another number.",
            code="invoice_number_taken",
            field="number",
        ) from None
    return views(session, [invoice])[0]


def update_invoice(session: Session, actor: Actor, invoice_id: str, changes: dict[str, Any]) -> InvoiceView:
    invoice = _invoice(session, actor, invoice_id, "edit invoices", lock=True, permission=permissions.DRAFT_INVOICES)
    _require_draft(invoice, "edited")
    for key in ("subject", "purchase_order", "notes", "issue_date", "period_start", "period_end"):
        if key in changes:
            setattr(invoice, key, changes[key])
    if "payment_term" in changes and changes["payment_term"] is not None:
        if changes["payment_term"] not in invoice_math.PAYMENT_TERMS:
            raise ValidationError(
                "payment_term must be upon_receipt, net_15, net_30, net_45, net_60 or custom.", field="payment_term"
            )
        invoice.payment_term = changes["payment_term"]
    if changes.get("due_date"):
        invoice.due_date = changes["due_date"]
    elif "issue_date" in changes or "payment_term" in changes:
        invoice.due_date = invoice_math.due_date_for(invoice.issue_date, invoice.payment_term) or invoice.due_date
    if invoice.issue_date is None:
        raise ValidationError("issue_date cannot be empty.", field="issue_date")
    _check_dates(invoice.issue_date, invoice.due_date, invoice.period_start, invoice.period_end)
    for key in ("tax", "tax2", "discount"):
        if key in changes:
            setattr(invoice, key, _pct(changes, key, None))
    existing = views(session, [invoice])[0].line_items
    lines = existing
    if changes.get("line_items") is not None:
        for li in existing:
            session.delete(li)
        lines = [_line(invoice, pos, li) for pos, li in enumerate(changes["line_items"])]
        session.add_all(lines)
    _recompute(invoice, lines, paid=ZERO)
    audit(session, actor.account_id, actor.user_id, "invoice.updated", invoice.id, {k: changes[k] for k in changes})
    session.commit()
    return views(session, [invoice])[0]


def delete_invoice(session: Session, actor: Actor, invoice_id: str) -> str:
    """Administrators delete drafts; the time and expenses on it become uninvoiced again."""
    invoice = get_scoped(session, Invoice, invoice_id, actor.account_id, "Invoice")
    actor.require_admin("delete invoices")
    _require_draft(invoice, "deleted")
    for model in (TimeEntry, Expense):
        session.execute(
            update(model)
            .where(model.account_id == actor.account_id, model.invoice_id == invoice.id)
            .values(is_billed=False, invoice_id=None)
        )
    audit(session, actor.account_id, actor.user_id, "invoice.deleted", invoice.id, {"number": invoice.number})
    session.delete(invoice)
    session.commit()
    return invoice_id


# ── messages ───────────────────────────────────────────────────────────────────────────


def list_messages(session: Session, actor: Actor, invoice_id: str, page: Page) -> tuple[list[InvoiceMessage], int]:
    _invoice(session, actor, invoice_id, "see invoice messages")
    q = (
        select(InvoiceMessage)
        .where(InvoiceMessage.account_id == actor.account_id, InvoiceMessage.invoice_id == invoice_id)
        .order_by(InvoiceMessage.created_at.desc(), InvoiceMessage.id.desc())
    )
    rows, total = fetch_page(session, q, page)
    return rows, total or 0


def create_message(session: Session, actor: Actor, invoice_id: str, data: dict[str, Any]) -> InvoiceMessage:
    """Record a message and apply its event (Harvest's ``event_type``):

    send (draft → open, sent_at), reminder, thank_you (flags), close (open/paid → closed),
    re-open (closed → open, or paid when nothing is due), draft (open without payments → draft).
    Nothing is e-mailed (ADR 0401).
    """
    invoice = _invoice(session, actor, invoice_id, "send invoices", lock=True, permission=permissions.SEND_INVOICES)
    event = str(data.get("event_type") or "send").lower()
    event = _EVENT_ALIASES.get(event, event)
    if event not in MESSAGE_EVENTS:
        raise ValidationError(
            "event_type must be send, reminder, thank_you, close, re-open or draft.", field="event_type"
        )
    recipients = data.get("recipients") or []
    if event in ("send", "reminder", "thank_you") and not recipients:
        raise ValidationError("recipients is required: give at least one {name, email}.", field="recipients")
    now = datetime.now(UTC)
    if event == "send":
        if invoice.state == "closed":
            raise Conflict("A closed invoice cannot be sent; re-open it first.", code="invoice_closed")
        if invoice.state == "draft":
            invoice.state = "open"
        invoice.sent_at = invoice.sent_at or now
    elif event in ("reminder", "thank_you") and invoice.state == "draft":
        raise Conflict(f"A draft invoice cannot get a {event.replace('_', ' ')}; send it first.", code="invoice_draft")
    elif event == "close":
        if invoice.state not in ("open", "paid"):
            raise Conflict(f"Only open or paid invoices can be closed; this one is {invoice.state}.", code="conflict")
        invoice.state, invoice.closed_at = "closed", now
    elif event == "re-open":
        if invoice.state != "closed":
            raise Conflict(f"Only closed invoices can be re-opened; this one is {invoice.state}.", code="conflict")
        invoice.state, invoice.closed_at = ("paid" if invoice.due_amount <= ZERO else "open"), None
    elif event == "draft":
        if invoice.state != "open" or _paid_total(session, invoice.id) > ZERO:
            raise Conflict("Only an open invoice without payments can return to draft.", code="conflict")
        invoice.state, invoice.sent_at = "draft", None
    message = InvoiceMessage(
        id=new_id("invoice_message"),
        account_id=actor.account_id,
        invoice_id=invoice.id,
        sent_by=actor.user.name,
        sent_by_email=actor.user.email,
        sent_from=actor.user.name,
        sent_from_email=actor.user.email,
        recipients=[{"name": r["name"], "email": r["email"]} for r in recipients],
        subject=data.get("subject"),
        body=data.get("body"),
        attach_pdf=bool(data.get("attach_pdf", True)),
        send_me_a_copy=bool(data.get("send_me_a_copy", False)),
        thank_you=event == "thank_you",
        reminder=event == "reminder",
        event_type=event,
    )
    session.add(message)
    invoice.updated_at = now
    audit(session, actor.account_id, actor.user_id, f"invoice.{event}", invoice.id, {"state": invoice.state})
    session.commit()
    return message


# ── payments ───────────────────────────────────────────────────────────────────────────


def list_payments(session: Session, actor: Actor, invoice_id: str, page: Page) -> tuple[list[InvoicePayment], int]:
    _invoice(session, actor, invoice_id, "see payments")
    q = (
        select(InvoicePayment)
        .where(InvoicePayment.account_id == actor.account_id, InvoicePayment.invoice_id == invoice_id)
        .order_by(InvoicePayment.paid_date.desc(), InvoicePayment.id.desc())
    )
    rows, total = fetch_page(session, q, page)
    return rows, total or 0


def create_payment(session: Session, actor: Actor, invoice_id: str, data: dict[str, Any]) -> InvoicePayment:
    """Record money received. The invoice becomes paid (``paid_at``) when nothing is due."""
    invoice = _invoice(session, actor, invoice_id, "record payments", lock=True, permission=permissions.SEND_INVOICES)
    if invoice.state not in ("open",):
        raise Conflict(f"Payments go on open invoices; this one is {invoice.state}.", code="invoice_not_open")
    amount: Decimal = data["amount"]
    if amount <= ZERO:
        raise ValidationError("amount must be more than zero.", field="amount")
    if amount > invoice.due_amount:
        raise RuleViolation(
            f"amount {amount} is more than the {invoice.due_amount} {invoice.currency} still due.",
            code="payment_exceeds_due",
            field="amount",
        )
    paid_at: datetime | None = data.get("paid_at")
    payment = InvoicePayment(
        id=new_id("payment"),
        account_id=actor.account_id,
        invoice_id=invoice.id,
        amount=amount,
        paid_date=data.get("paid_date") or (paid_at.date() if paid_at else local_today(actor.account.timezone)),
        notes=data.get("notes"),
        transaction_id=data.get("transaction_id"),
        recorded_by_id=actor.user_id,
    )
    session.add(payment)
    session.flush()
    _settle(session, invoice)
    audit(session, actor.account_id, actor.user_id, "invoice.payment_created", invoice.id, {"amount": amount})
    session.commit()
    return payment


def delete_payment(session: Session, actor: Actor, invoice_id: str, payment_id: str) -> None:
    invoice = _invoice(session, actor, invoice_id, "delete payments", lock=True, permission=permissions.SEND_INVOICES)
    payment = get_scoped(session, InvoicePayment, payment_id, actor.account_id, "Payment")
    if payment.invoice_id != invoice.id:
        raise NotFound("Payment")
    if invoice.state == "closed":
        raise Conflict("Re-open the invoice before changing its payments.", code="invoice_closed")
    session.delete(payment)
    session.flush()
    _settle(session, invoice)
    audit(session, actor.account_id, actor.user_id, "invoice.payment_deleted", invoice.id, {"payment": payment_id})
    session.commit()


# ── internals ──────────────────────────────────────────────────────────────────────────


def _locked_account(session: Session, account_id: str) -> Account:
    """The account row, locked until commit, so two invoices never take the same number.
    (On SQLite the write transaction already holds the database lock: BEGIN IMMEDIATE.)"""
    q = select(Account).where(Account.id == account_id)
    if session.get_bind().dialect.name != "sqlite":
        q = q.with_for_update()
    account = session.scalars(q.execution_options(populate_existing=True)).one()
    return account


def _take_number(account: Account, explicit: str | None, issue_date: date) -> str:
    if explicit:
        return explicit.strip()
    pattern = account.invoice_number_pattern or invoice_math.DEFAULT_NUMBER_PATTERN
    try:
        invoice_math.check_number_pattern(pattern)
    except ValueError:
        pattern = invoice_math.DEFAULT_NUMBER_PATTERN
    sequence = account.next_invoice_number or 1
    account.next_invoice_number = sequence + 1
    return invoice_math.format_number(pattern, sequence, issue_date)


def _pct(data: dict[str, Any], key: str, default: Decimal | None) -> Decimal | None:
    if key not in data:
        return default
    value = data[key]
    if value is not None and not (ZERO <= value <= Decimal(100)):
        raise ValidationError(f"{key} is a percentage between 0 and 100.", field=key)
    return value  # type: ignore[no-any-return]


def _check_dates(issue: date, due: date, start: date | None, end: date | None) -> None:
    if due < issue:
        raise ValidationError("due_date cannot be before issue_date.", field="due_date")
    if start and end and end < start:
        raise ValidationError("period_end cannot be before period_start.", field="period_end")


def _require_draft(invoice: Invoice, doing: str) -> None:
    if invoice.state != "draft":
        raise Conflict(
            f"Invoice {invoice.number} is {invoice.state}; only draft invoices can be {doing}.",
            code="invoice_not_draft",
        )


def _line(invoice: Invoice, position: int, data: dict[str, Any]) -> InvoiceLineItem:
    quantity = data.get("quantity")
    unit_price = data.get("unit_price")
    return InvoiceLineItem(
        id=new_id("line_item"),
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        position=position,
        kind=data.get("kind") or "Service",
        description=data.get("description"),
        quantity=Decimal(1) if quantity is None else quantity,
        unit_price=ZERO if unit_price is None else unit_price,
        taxed=bool(data.get("taxed", False)),
        taxed2=bool(data.get("taxed2", False)),
        project_id=data.get("project_id"),
    )


def _recompute(invoice: Invoice, lines: list[InvoiceLineItem], *, paid: Decimal) -> None:
    result = invoice_math.totals(
        [invoice_math.LineInput(li.quantity, li.unit_price, li.taxed, li.taxed2) for li in lines],
        invoice.currency,
        tax=invoice.tax,
        tax2=invoice.tax2,
        discount=invoice.discount,
    )
    for li, amount in zip(lines, result.line_amounts, strict=True):
        li.amount = amount
    invoice.amount = result.amount
    invoice.discount_amount = result.discount_amount
    invoice.tax_amount = result.tax_amount
    invoice.tax2_amount = result.tax2_amount
    invoice.due_amount, _ = invoice_math.settle(result.amount, paid)


def _paid_total(session: Session, invoice_id: str) -> Decimal:
    return (
        session.scalar(
            select(func.coalesce(func.sum(InvoicePayment.amount), 0)).where(InvoicePayment.invoice_id == invoice_id)
        )
        or ZERO
    )


def _settle(session: Session, invoice: Invoice) -> None:
    due, fully_paid = invoice_math.settle(invoice.amount, _paid_total(session, invoice.id))
    invoice.due_amount = due
    if fully_paid and invoice.state == "open":
        invoice.state, invoice.paid_at = "paid", datetime.now(UTC)
    elif not fully_paid and invoice.state == "paid":
        invoice.state, invoice.paid_at = "open", None


# ── importing time and expenses ────────────────────────────────────────────────────────


def _import_lines(
    session: Session, actor: Actor, invoice: Invoice, client: Client, spec: dict[str, Any], *, first_position: int
) -> tuple[list[InvoiceLineItem], tuple[list[str], list[str]]]:
    """Lines for the uninvoiced billable work of the client's projects in [from, to]:
    stopped time entries and expenses that are billable, not yet billed, approved (or, with
    ``include_unapproved``, unsubmitted or submitted too; never rejected). Time is priced at each entry's
    stored billable rate; expenses at their total. Grouped by project, task, person or one
    line per record (``detailed``)."""
    group_by = spec.get("group_by") or "project"
    if group_by not in IMPORT_GROUPS:
        raise ValidationError("import.group_by must be project, task, person or detailed.", field="import.group_by")
    start, end = spec["from"], spec["to"]
    if end < start:
        raise ValidationError("import.to cannot be before import.from.", field="import.to")
    project_q = select(Project.id).where(Project.account_id == actor.account_id, Project.client_id == client.id)
    wanted = spec.get("project_ids")
    if wanted:
        project_q = project_q.where(Project.id.in_(wanted))
    project_ids = list(session.scalars(project_q))
    if wanted and len(project_ids) != len(set(wanted)):
        raise NotFound("Project", field="import.project_ids")
    # Only approved work by default (inventory §1.14); "documented" work (unsubmitted or
    # submitted) too when asked, or when the workspace does not use approvals. Never rejected.
    include_unapproved = spec.get("include_unapproved")
    if include_unapproved is None:
        include_unapproved = not actor.account.feature_approvals
    ok_status = ("unsubmitted", "submitted", "approved") if include_unapproved else ("approved",)
    entries: list[TimeEntry] = []
    expenses: list[Expense] = []
    if spec.get("time", True) and project_ids:
        entries = list(
            session.scalars(
                select(TimeEntry)
                .where(
                    TimeEntry.account_id == actor.account_id,
                    TimeEntry.project_id.in_(project_ids),
                    TimeEntry.spent_date.between(start, end),
                    TimeEntry.billable.is_(True),
                    TimeEntry.is_billed.is_(False),
                    TimeEntry.is_running.is_(False),
                    TimeEntry.approval_status.in_(ok_status),
                )
                .order_by(TimeEntry.spent_date, TimeEntry.id)
            )
        )
    if spec.get("expenses", True) and project_ids:
        expenses = list(
            session.scalars(
                select(Expense)
                .where(
                    Expense.account_id == actor.account_id,
                    Expense.project_id.in_(project_ids),
                    Expense.spent_date.between(start, end),
                    Expense.billable.is_(True),
                    Expense.is_billed.is_(False),
                    Expense.approval_status.in_(ok_status),
                )
                .order_by(Expense.spent_date, Expense.id)
            )
        )
    if not entries and not expenses:
        raise RuleViolation(
            f"Nothing to invoice: no uninvoiced billable time or expenses for {client.name} from {start} to {end}.",
            code="nothing_to_invoice",
            field="import",
        )
    names = _names(session, entries, expenses)
    lines: list[InvoiceLineItem] = []
    position = first_position

    # Time: one line per (group, rate) so quantity × unit_price stays the line's amount.
    time_groups: dict[tuple[str, Decimal], list[TimeEntry]] = defaultdict(list)
    for e in entries:
        time_groups[(_group_key(group_by, e.project_id, e.task_id, e.user_id, e.id), e.billable_rate or ZERO)].append(e)
    for (_key, rate), group in time_groups.items():
        first = group[0]
        seconds = sum(e.duration_seconds for e in group)
        label = _label(group_by, names, first.project_id, first.task_id, first.user_id)
        if group_by == "detailed":
            label = f"{label} ({first.spent_date.isoformat()}){': ' + first.notes if first.notes else ''}"
        lines.append(
            _line(
                invoice,
                position,
                {
                    "kind": "Service",
                    "description": label,
                    "quantity": seconds_to_hours(seconds),
                    "unit_price": rate,
                    "taxed": True,
                    "taxed2": True,
                    "project_id": first.project_id
                    if group_by != "person" or len({e.project_id for e in group}) == 1
                    else None,
                },
            )
        )
        position += 1
    exp_groups: dict[str, list[Expense]] = defaultdict(list)
    for x in expenses:
        exp_groups[_group_key(group_by, x.project_id, None, x.user_id, x.id)].append(x)
    for xgroup in exp_groups.values():
        xfirst = xgroup[0]
        label = _label(group_by, names, xfirst.project_id, None, xfirst.user_id)
        if group_by == "detailed":
            category = names["category"].get(xfirst.expense_category_id, "Expense")
            label = (
                f"{label} ({xfirst.spent_date.isoformat()}): {category}{' - ' + xfirst.notes if xfirst.notes else ''}"
            )
        else:
            label = f"{label}: expenses"
        lines.append(
            _line(
                invoice,
                position,
                {
                    "kind": "Product",
                    "description": label,
                    "quantity": Decimal(1),
                    "unit_price": sum((x.total_cost for x in xgroup), ZERO),
                    "taxed": True,
                    "taxed2": True,
                    "project_id": xfirst.project_id,
                },
            )
        )
        position += 1
    return lines, ([e.id for e in entries], [x.id for x in expenses])


def _group_key(group_by: str, project_id: str, task_id: str | None, user_id: str, record_id: str) -> str:
    if group_by == "project":
        return project_id
    if group_by == "task":
        return f"{project_id}/{task_id or 'expenses'}"
    if group_by == "person":
        return user_id
    return record_id


def _label(group_by: str, names: dict[str, dict[str, str]], project_id: str, task_id: str | None, user_id: str) -> str:
    project = names["project"].get(project_id, "")
    if group_by == "task":
        return f"{project}: {names['task'].get(task_id or '', 'Expenses')}"
    if group_by == "person":
        return names["user"].get(user_id, "")
    if group_by == "detailed":
        task = names["task"].get(task_id or "")
        person = names["user"].get(user_id, "")
        return f"{project}{' / ' + task if task else ''} / {person}"
    return project


def _names(session: Session, entries: list[TimeEntry], expenses: list[Expense]) -> dict[str, dict[str, str]]:
    project_ids = {e.project_id for e in entries} | {x.project_id for x in expenses}
    task_ids = {e.task_id for e in entries}
    user_ids = {e.user_id for e in entries} | {x.user_id for x in expenses}
    category_ids = {x.expense_category_id for x in expenses}
    return {
        "project": dict(_pairs(session, select(Project.id, Project.name).where(Project.id.in_(project_ids)))),
        "task": dict(_pairs(session, select(Task.id, Task.name).where(Task.id.in_(task_ids)))),
        "user": {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(user_ids)))},
        "category": dict(
            _pairs(
                session, select(ExpenseCategory.id, ExpenseCategory.name).where(ExpenseCategory.id.in_(category_ids))
            )
        ),
    }


def _link(session: Session, actor: Actor, invoice_id: str, entry_ids: list[str], expense_ids: list[str]) -> None:
    """Mark the imported records billed. The ``is_billed = false`` guard makes a concurrent
    import of the same records fail instead of billing them twice."""
    for model, ids in ((TimeEntry, entry_ids), (Expense, expense_ids)):
        if not ids:
            continue
        result = session.execute(
            update(model)
            .where(model.account_id == actor.account_id, model.id.in_(ids), model.is_billed.is_(False))
            .values(is_billed=True, invoice_id=invoice_id)
        )
        if result.rowcount != len(ids):  # type: ignore[attr-defined]
            session.rollback()
            raise Conflict(
                "Some of this time or these expenses were invoiced meanwhile; try again.", code="already_invoiced"
            )


def _pairs(session: Session, query: Any) -> list[tuple[Any, Any]]:
    return [(k, v) for k, v in session.execute(query)]

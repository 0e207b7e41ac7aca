"""Reports that join time and cost (decisions §6): hours, billable amounts, cost and LLM spend
grouped by client, project, task, person, source, user type, model, agent or session.

``summary`` is the one aggregation behind the API's reports and the web app's Reports page.
It runs one GROUP BY query on time entries and one on expenses (plus one name lookup), whatever
the number of rows. Sums are exact: rates are read as integer micro-units and multiplied by
seconds inside SQL, so nothing passes through floating point. Report amounts keep 6 decimal
places; only invoices round to the currency's minor unit.

What counts:
- hours: stored durations of time entries (a running timer counts what it had when last
  stopped, not the time since it started), in hours to 6 places;
- billable_hours / billable_amount: billable entries, × the billable rate stored on the entry;
- cost_amount: every entry's hours × the cost rate stored on the entry (people's cost);
- expense_total: every expense's total; llm_cost: the part in the built-in LLM Usage category;
- entries: time entries plus expenses in the group.
Amounts are in the workspace currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import BigInteger, Select, case, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from keito_server.db.models import Client, Expense, ExpenseCategory, Project, Task, TimeEntry, User
from keito_server.domain.durations import SECONDS_PER_HOUR, seconds_to_hours
from keito_server.domain.errors import ValidationError
from keito_server.domain.money import MICROS, SIX_PLACES
from keito_server.domain.sources import EXPENSE_SOURCES, TIME_ENTRY_SOURCES, parse_source_filter
from keito_server.services import teammates
from keito_server.services.context import Actor
from keito_server.services.expense_categories import LLM_USAGE_ALIAS

GROUPS = ("client", "project", "task", "user", "source", "user_type", "model", "agent", "session", "category")
EXPENSE_ONLY_GROUPS = ("category",)  # time has no expense category: these report expenses only
MAX_RANGE_DAYS = 365
LLM_USAGE_BUILTIN = "llm_usage"
_COMPACT = re.compile(r"^\d{8}$")
ZERO = Decimal(0)
# No value for the group (an entry without a session, an expense without a task...).
NONE_LABELS = {
    "task": "(expenses)",
    "model": "(no model)",
    "agent": "(no agent)",
    "session": "(no session)",
    "client": "(no client)",
}


@dataclass(frozen=True)
class ReportRow:
    key: str | None
    label: str
    hours: Decimal
    billable_hours: Decimal
    billable_amount: Decimal
    cost_amount: Decimal
    llm_cost: Decimal
    expense_total: Decimal
    entries: int
    currency: str


@dataclass(frozen=True)
class TeamRow:
    user: User
    total_hours: Decimal
    billable_hours: Decimal
    billable_amount: Decimal
    currency: str


def parse_report_date(value: str | None, name: str) -> date:
    """``20260306`` or ``2026-03-06``; a missing or malformed date is a 400."""
    if value is None or value.strip() == "":
        raise ValidationError(f"{name} is required (YYYYMMDD or YYYY-MM-DD).", field=name)
    text = value.strip()
    if _COMPACT.match(text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{name}: {value!r} is not a date; write YYYYMMDD or YYYY-MM-DD.", field=name) from None


def check_range(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ValidationError("to cannot be before from.", field="to")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise ValidationError(f"A report covers at most {MAX_RANGE_DAYS} days; shorten from/to.", field="to")


def summary(
    session: Session,
    actor: Actor,
    *,
    date_from: date,
    date_to: date,
    group_by: str,
    source: str | None = None,
    project_id: str | None = None,
    client_id: str | None = None,
    user_id: str | None = None,
) -> list[ReportRow]:
    """Rows ordered by hours, then expense total, then label, over the work the actor may see
    (services.teammates: members their own, restricted managers their teammates')."""
    if group_by not in GROUPS:
        raise ValidationError(f"group_by must be one of {', '.join(GROUPS)}.", field="group_by")
    check_range(date_from, date_to)
    currency = actor.account.currency
    time_sources = parse_source_filter(source, TIME_ENTRY_SOURCES)
    expense_sources = [s for s in time_sources if s in EXPENSE_SOURCES] if time_sources else None

    acc: dict[str | None, dict[str, Any]] = {}

    def slot(key: Any) -> dict[str, Any]:
        k = None if key is None or key == "" else str(key)
        return acc.setdefault(k, {"seconds": 0, "bill_seconds": 0, "bill": 0, "cost": 0, "exp": 0, "llm": 0, "n": 0})

    # Time: seconds, billable seconds, Σ seconds × rate (micro-units), in one query.
    te_key = _time_key(group_by)
    bill_rate = type_coerce(TimeEntry.billable_rate, BigInteger)
    cost_rate = type_coerce(TimeEntry.cost_rate, BigInteger)
    billable_seconds = case((TimeEntry.billable.is_(True), TimeEntry.duration_seconds), else_=0)
    tq: Select[Any] = (
        select(
            te_key.label("k"),
            func.coalesce(func.sum(TimeEntry.duration_seconds), 0),
            func.coalesce(func.sum(billable_seconds), 0),
            func.coalesce(func.sum(billable_seconds * func.coalesce(bill_rate, 0)), 0),
            func.coalesce(func.sum(TimeEntry.duration_seconds * func.coalesce(cost_rate, 0)), 0),
            func.count(TimeEntry.id),
        )
        .select_from(TimeEntry)
        .join(Project, Project.id == TimeEntry.project_id)
        .join(User, User.id == TimeEntry.user_id)
        .where(
            TimeEntry.account_id == actor.account_id,
            TimeEntry.spent_date >= date_from,
            TimeEntry.spent_date <= date_to,
        )
        .group_by(te_key)
    )
    if time_sources:
        tq = tq.where(TimeEntry.source.in_(time_sources))
    if project_id:
        tq = tq.where(TimeEntry.project_id == project_id)
    if client_id:
        tq = tq.where(Project.client_id == client_id)
    if user_id:
        tq = tq.where(TimeEntry.user_id == user_id)
    if (time_scope := teammates.scope(actor, TimeEntry.user_id)) is not None:
        tq = tq.where(time_scope)
    for key, seconds, bill_seconds, bill, cost, n in session.execute(tq) if group_by not in EXPENSE_ONLY_GROUPS else []:
        s = slot(key)
        s["seconds"] += int(seconds)
        s["bill_seconds"] += int(bill_seconds)
        s["bill"] += int(bill)
        s["cost"] += int(cost)
        s["n"] += int(n)

    # Expenses: totals and the LLM Usage part, in one query.
    if time_sources is None or expense_sources:
        ex_key = _expense_key(group_by)
        total = type_coerce(Expense.total_cost, BigInteger)
        is_llm = ExpenseCategory.builtin == LLM_USAGE_BUILTIN
        eq: Select[Any] = (
            select(
                ex_key.label("k"),
                func.coalesce(func.sum(total), 0),
                func.coalesce(func.sum(case((is_llm, total), else_=0)), 0),
                func.count(Expense.id),
            )
            .select_from(Expense)
            .join(Project, Project.id == Expense.project_id)
            .join(User, User.id == Expense.user_id)
            .join(ExpenseCategory, ExpenseCategory.id == Expense.expense_category_id)
            .where(
                Expense.account_id == actor.account_id,
                Expense.spent_date >= date_from,
                Expense.spent_date <= date_to,
            )
            .group_by(ex_key)
        )
        if expense_sources:
            eq = eq.where(Expense.source.in_(expense_sources))
        if project_id:
            eq = eq.where(Expense.project_id == project_id)
        if client_id:
            eq = eq.where(Project.client_id == client_id)
        if user_id:
            eq = eq.where(Expense.user_id == user_id)
        if (expense_scope := teammates.scope(actor, Expense.user_id)) is not None:
            eq = eq.where(expense_scope)
        for key, exp, llm, n in session.execute(eq):
            s = slot(key)
            s["exp"] += int(exp)
            s["llm"] += int(llm)
            s["n"] += int(n)

    labels = _labels(session, actor, group_by, [k for k in acc if k is not None])
    aliases = _category_aliases(session, actor, list(acc)) if group_by == "category" else {}
    rows = [
        ReportRow(
            key=aliases.get(k, k) if k is not None else None,
            label=labels.get(k, k) if k is not None else NONE_LABELS.get(group_by, "(none)"),
            hours=seconds_to_hours(v["seconds"]),
            billable_hours=seconds_to_hours(v["bill_seconds"]),
            billable_amount=_per_hour(v["bill"]),
            cost_amount=_per_hour(v["cost"]),
            llm_cost=_micros(v["llm"]),
            expense_total=_micros(v["exp"]),
            entries=v["n"],
            currency=currency,
        )
        for k, v in acc.items()
    ]
    rows.sort(key=lambda r: (-r.hours, -r.expense_total, r.label))
    return rows


def team_time(session: Session, actor: Actor, *, date_from: date, date_to: date) -> list[TeamRow]:
    """Harvest's team time report: one row per person (human or agent) with time in the range."""
    actor.require_manager("see team reports")
    rows = summary(session, actor, date_from=date_from, date_to=date_to, group_by="user")
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([r.key for r in rows if r.key])))}
    out = [
        TeamRow(users[r.key], r.hours, r.billable_hours, r.billable_amount, r.currency)
        for r in rows
        if r.key in users and r.entries > 0
    ]
    out.sort(key=lambda t: (t.user.name.lower(), t.user.id))
    return out


@dataclass(frozen=True)
class ProjectUsage:
    """Everything logged on one project in a period (or ever), for its budget progress."""

    hours: Decimal
    billable_hours: Decimal
    billable_amount: Decimal
    cost_amount: Decimal
    expense_total: Decimal
    billable_expense_total: Decimal


def project_usage(
    session: Session, actor: Actor, project_id: str, *, date_from: date | None = None, date_to: date | None = None
) -> ProjectUsage:
    """Totals of one project without the report's 365-day limit (a budget spans the project's
    life, or the current month for monthly budgets). Managers see everyone's work; others only
    reach this for projects they can see, and then only their own work counts."""
    bill_rate = type_coerce(TimeEntry.billable_rate, BigInteger)
    cost_rate = type_coerce(TimeEntry.cost_rate, BigInteger)
    billable_seconds = case((TimeEntry.billable.is_(True), TimeEntry.duration_seconds), else_=0)
    tq: Select[Any] = select(
        func.coalesce(func.sum(TimeEntry.duration_seconds), 0),
        func.coalesce(func.sum(billable_seconds), 0),
        func.coalesce(func.sum(billable_seconds * func.coalesce(bill_rate, 0)), 0),
        func.coalesce(func.sum(TimeEntry.duration_seconds * func.coalesce(cost_rate, 0)), 0),
    ).where(TimeEntry.account_id == actor.account_id, TimeEntry.project_id == project_id)
    total = type_coerce(Expense.total_cost, BigInteger)
    eq: Select[Any] = select(
        func.coalesce(func.sum(total), 0),
        func.coalesce(func.sum(case((Expense.billable.is_(True), total), else_=0)), 0),
    ).where(Expense.account_id == actor.account_id, Expense.project_id == project_id)
    if date_from:
        tq, eq = tq.where(TimeEntry.spent_date >= date_from), eq.where(Expense.spent_date >= date_from)
    if date_to:
        tq, eq = tq.where(TimeEntry.spent_date <= date_to), eq.where(Expense.spent_date <= date_to)
    if not actor.is_manager:
        tq, eq = tq.where(TimeEntry.user_id == actor.user_id), eq.where(Expense.user_id == actor.user_id)
    seconds, bill_seconds, bill, cost = session.execute(tq).one()
    exp, billable_exp = session.execute(eq).one()
    return ProjectUsage(
        hours=seconds_to_hours(int(seconds)),
        billable_hours=seconds_to_hours(int(bill_seconds)),
        billable_amount=_per_hour(int(bill)),
        cost_amount=_per_hour(int(cost)),
        expense_total=_micros(int(exp)),
        billable_expense_total=_micros(int(billable_exp)),
    )


# ── internals ──────────────────────────────────────────────────────────────────────────


def _per_hour(seconds_times_micros: int) -> Decimal:
    """Σ seconds × rate-in-micro-units -> money, to 6 places."""
    return (Decimal(seconds_times_micros) / (SECONDS_PER_HOUR * MICROS)).quantize(SIX_PLACES, ROUND_HALF_EVEN) + ZERO


def _micros(value: int) -> Decimal:
    return (Decimal(value) / MICROS).quantize(SIX_PLACES) + ZERO


def _time_key(group_by: str) -> Any:
    return {
        "client": Project.client_id,
        "project": TimeEntry.project_id,
        "task": TimeEntry.task_id,
        "user": TimeEntry.user_id,
        "source": TimeEntry.source,
        "user_type": User.user_type,
        "model": TimeEntry.metadata_["model"].as_string(),
        "agent": TimeEntry.agent_id,
        "session": TimeEntry.session_id,
        "category": literal(None, type_=ExpenseCategory.id.type),
    }[group_by]


def _expense_key(group_by: str) -> Any:
    return {
        "client": Project.client_id,
        "project": Expense.project_id,
        "task": literal(None, type_=Task.id.type),
        "user": Expense.user_id,
        "source": Expense.source,
        "user_type": User.user_type,
        "model": func.coalesce(Expense.cost_breakdown["model"].as_string(), Expense.metadata_["model"].as_string()),
        "agent": Expense.agent_id,
        "session": Expense.session_id,
        "category": Expense.expense_category_id,
    }[group_by]


def _category_aliases(session: Session, actor: Actor, keys: list[str | None]) -> dict[str | None, str]:
    """The API's id for LLM Usage (``cat_llm_usage``) where a key is that category's row id."""
    q = select(ExpenseCategory.id).where(
        ExpenseCategory.account_id == actor.account_id,
        ExpenseCategory.builtin == LLM_USAGE_BUILTIN,
        ExpenseCategory.id.in_([k for k in keys if k]),
    )
    return dict.fromkeys(session.scalars(q), LLM_USAGE_ALIAS)


def _labels(session: Session, actor: Actor, group_by: str, keys: list[str]) -> dict[str, str]:
    if not keys:
        return {}
    model: Any = {"client": Client, "project": Project, "task": Task}.get(group_by)
    if model is not None:
        q = select(model.id, model.name).where(model.account_id == actor.account_id, model.id.in_(keys))
        return {k: v for k, v in session.execute(q)}
    if group_by == "user":
        return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(keys)))}
    if group_by == "category":
        q = select(ExpenseCategory.id, ExpenseCategory.name).where(
            ExpenseCategory.account_id == actor.account_id, ExpenseCategory.id.in_(keys)
        )
        return {k: v for k, v in session.execute(q)}
    return {k: k for k in keys}

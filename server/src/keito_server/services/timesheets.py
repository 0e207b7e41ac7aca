"""Timesheets: the Day and Week views' data (entries, per-day and per-week totals, the grid per
project and task), the pickers for the timer bar, the change signature the Day view polls,
and the LLM expenses that share an entry's session.

Every function reads in a fixed number of queries whatever the number of entries (the Day and
Week views are measured with 500 entries; see benchmarks/web_views.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keito_server.db.models import Client, Project, Task, TaskAssignment, TimeEntry, UserAssignment
from keito_server.services import expenses as expenses_service
from keito_server.services import time_entries
from keito_server.services.accounts import WEEKDAYS
from keito_server.services.context import Actor
from keito_server.services.paging import Page
from keito_server.services.time_entries import TimeEntryFilters, TimeEntryView

# The most entries one view loads (a person's week; far above what anyone logs).
MAX_ENTRIES_PER_VIEW = 5000
ZERO = Decimal(0)


def week_bounds(day: date, week_start: str = "monday") -> tuple[date, date]:
    """The first and last day of the week containing ``day``, for the workspace's week start."""
    first = WEEKDAYS.index(week_start.lower()) if week_start.lower() in WEEKDAYS else 0
    offset = (day.weekday() - first) % 7
    start = day - timedelta(days=offset)
    return start, start + timedelta(days=6)


@dataclass
class DaySheet:
    day: date
    week_days: list[date]
    entries: list[TimeEntryView]  # the day's, oldest first
    day_totals: dict[date, Decimal]  # hours per day of the week
    day_total: Decimal
    week_total: Decimal
    client_names: dict[str, str]


@dataclass
class WeekRow:
    project_id: str
    project_name: str
    client_name: str
    task_id: str
    task_name: str
    hours: list[Decimal]  # one per day of the week
    total: Decimal
    sources: set[str] = field(default_factory=set)


@dataclass
class WeekSheet:
    start: date
    days: list[date]
    rows: list[WeekRow]
    day_totals: list[Decimal]
    total: Decimal


def _week_entries(
    session: Session, actor: Actor, start: date, end: date, source: str | None, user_id: str | None
) -> list[TimeEntryView]:
    filters = TimeEntryFilters(user_id=user_id or actor.user_id, date_from=start, date_to=end, source=source or None)
    views, _ = time_entries.list_entries(session, actor, filters, Page(limit=MAX_ENTRIES_PER_VIEW, with_total=False))
    return views


def _client_names(session: Session, actor: Actor, views: list[TimeEntryView]) -> dict[str, str]:
    ids = {v.client_id for v in views if v.client_id}
    if not ids:
        return {}
    rows = session.execute(
        select(Client.id, Client.name).where(Client.account_id == actor.account_id, Client.id.in_(ids))
    )
    return {cid: name for cid, name in rows}


def day_sheet(
    session: Session, actor: Actor, day: date, *, source: str | None = None, user_id: str | None = None
) -> DaySheet:
    start, end = week_bounds(day, actor.account.week_start)
    week = _week_entries(session, actor, start, end, source, user_id)
    days = [start + timedelta(days=i) for i in range(7)]
    totals: dict[date, Decimal] = {d: ZERO for d in days}
    for v in week:
        totals[v.entry.spent_date] = totals.get(v.entry.spent_date, ZERO) + v.hours
    todays = sorted((v for v in week if v.entry.spent_date == day), key=lambda v: v.entry.id)
    return DaySheet(
        day=day,
        week_days=days,
        entries=todays,
        day_totals=totals,
        day_total=totals.get(day, ZERO),
        week_total=sum(totals.values(), ZERO),
        client_names=_client_names(session, actor, todays),
    )


def week_sheet(
    session: Session, actor: Actor, day: date, *, source: str | None = None, user_id: str | None = None
) -> WeekSheet:
    start, end = week_bounds(day, actor.account.week_start)
    week = _week_entries(session, actor, start, end, source, user_id)
    days = [start + timedelta(days=i) for i in range(7)]
    clients = _client_names(session, actor, week)
    grid: dict[tuple[str, str], WeekRow] = {}
    for v in week:
        e = v.entry
        key = (e.project_id, e.task_id)
        row = grid.get(key)
        if row is None:
            row = WeekRow(
                project_id=e.project_id,
                project_name=v.project_name,
                client_name=clients.get(v.client_id or "", ""),
                task_id=e.task_id,
                task_name=v.task_name,
                hours=[ZERO] * 7,
                total=ZERO,
            )
            grid[key] = row
        i = (e.spent_date - start).days
        row.hours[i] += v.hours
        row.total += v.hours
        row.sources.add(e.source)
    rows = sorted(grid.values(), key=lambda r: (r.client_name.lower(), r.project_name.lower(), r.task_name.lower()))
    day_totals = [sum((r.hours[i] for r in rows), ZERO) for i in range(7)]
    return WeekSheet(start=start, days=days, rows=rows, day_totals=day_totals, total=sum(day_totals, ZERO))


def day_signature(session: Session, actor: Actor, day: date, *, user_id: str | None = None) -> str:
    """Changes whenever the person's entries for ``day`` (or their running timer) change: the
    Day view polls it and redraws only then. One small aggregate query."""
    uid = user_id or actor.user_id
    row = session.execute(
        select(func.count(), func.max(TimeEntry.updated_at), func.max(TimeEntry.id)).where(
            TimeEntry.account_id == actor.account_id,
            TimeEntry.user_id == uid,
            (TimeEntry.spent_date == day) | TimeEntry.is_running.is_(True),
        )
    ).one()
    stamp = row[1].isoformat() if row[1] is not None else "-"
    signature = f"{row[0]}.{stamp}.{row[2] or '-'}"
    if actor.is_manager:  # managers also watch the team's (and agents') running timers
        team = session.execute(
            select(func.count(), func.max(TimeEntry.updated_at), func.max(TimeEntry.id)).where(
                TimeEntry.account_id == actor.account_id, TimeEntry.is_running.is_(True)
            )
        ).one()
        signature += f"|{team[0]}.{team[1].isoformat() if team[1] else '-'}.{team[2] or '-'}"
    return signature


def team_running(session: Session, actor: Actor) -> list[TimeEntryView]:
    """Running timers of everyone else in the workspace, agents included (managers only)."""
    if not actor.is_manager:
        return []
    views, _ = time_entries.list_entries(
        session, actor, TimeEntryFilters(is_running=True), Page(limit=200, with_total=False)
    )
    return [v for v in views if v.entry.user_id != actor.user_id]


@dataclass(frozen=True)
class ProjectChoice:
    id: str
    name: str
    client_name: str
    tasks: list[tuple[str, str]]  # (task id, task name)

    @property
    def label(self) -> str:
        return f"{self.client_name} · {self.name}" if self.client_name else self.name


def pickers(session: Session, actor: Actor) -> list[ProjectChoice]:
    """Projects the person may log on (administrators: every active project), each with its
    active tasks; for the timer bar and the edit form. Three queries."""
    q = (
        select(Project.id, Project.name, Client.name)
        .join(Client, Client.id == Project.client_id)
        .where(Project.account_id == actor.account_id, Project.is_active.is_(True))
    )
    if not actor.is_admin:
        q = q.where(
            Project.id.in_(
                select(UserAssignment.project_id).where(
                    UserAssignment.user_id == actor.user_id, UserAssignment.is_active.is_(True)
                )
            )
        )
    projects = session.execute(q).all()
    if not projects:
        return []
    task_rows = session.execute(
        select(TaskAssignment.project_id, Task.id, Task.name)
        .join(Task, Task.id == TaskAssignment.task_id)
        .where(
            TaskAssignment.account_id == actor.account_id,
            TaskAssignment.project_id.in_([p[0] for p in projects]),
            TaskAssignment.is_active.is_(True),
            Task.is_active.is_(True),
        )
        .order_by(Task.name)
    ).all()
    tasks: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for project_id, task_id, task_name in task_rows:
        tasks[project_id].append((task_id, task_name))
    choices = [ProjectChoice(pid, name, client, tasks.get(pid, [])) for pid, name, client in projects]
    return sorted(choices, key=lambda c: (c.client_name.lower(), c.name.lower()))


@dataclass(frozen=True)
class SessionCosts:
    expenses: list[expenses_service.ExpenseView]
    total: Decimal


def session_expenses(session: Session, actor: Actor, session_id: str | None) -> SessionCosts:
    """The expenses (LLM usage first of all) logged with the same ``metadata.session_id``."""
    if not session_id:
        return SessionCosts([], ZERO)
    found, _ = expenses_service.list_expenses(
        session,
        actor,
        expenses_service.ExpenseFilters(session_id=session_id),
        Page(limit=MAX_ENTRIES_PER_VIEW, with_total=False),
    )
    return SessionCosts(found, sum((v.expense.total_cost for v in found), ZERO))

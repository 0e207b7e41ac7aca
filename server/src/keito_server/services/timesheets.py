"""Timesheets: the Day and Week views' data (entries, per-day and per-week totals, the grid per
project and task), the pickers for the timer bar, the change signature the Day view polls,
and the LLM expenses that share an entry's session.

Every function reads in a fixed number of queries whatever the number of entries (the Day and
Week views are measured with 500 entries; see benchmarks/web_views.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keito_server.db.models import Client, Project, Task, TaskAssignment, TimeEntry, UserAssignment
from keito_server.domain.durations import seconds_to_hours
from keito_server.domain.errors import PermissionDenied
from keito_server.domain.sources import TIME_ENTRY_SOURCES, parse_source_filter
from keito_server.domain.timers import elapsed_seconds
from keito_server.services import expenses as expenses_service
from keito_server.services import teammates, time_entries
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


def _owner(session: Session, actor: Actor, user_id: str | None) -> str:
    """Whose timesheet: your own, or (managers) a teammate's."""
    uid = user_id or actor.user_id
    if uid != actor.user_id:
        actor.require_manager("see other people's timesheets")
        if not teammates.can_see(session, actor, uid):
            raise PermissionDenied("You manage only your teammates; pick one of them.")
    return uid


@dataclass(frozen=True)
class _Cell:
    spent_date: date
    project_id: str
    task_id: str
    source: str
    seconds: int


def _week_cells(
    session: Session, actor: Actor, start: date, end: date, source: str | None, user_id: str
) -> list[_Cell]:
    """Seconds per (day, project, task, source) in one GROUP BY, plus the running timers'
    time since they started: the totals never load the entries themselves. ``user_id`` is the
    owner the caller has already checked (``_owner``)."""
    conditions = [
        TimeEntry.account_id == actor.account_id,
        TimeEntry.user_id == user_id,
        TimeEntry.spent_date >= start,
        TimeEntry.spent_date <= end,
    ]
    sources = parse_source_filter(source, TIME_ENTRY_SOURCES)
    if sources:
        conditions.append(TimeEntry.source.in_(sources))
    keys = (TimeEntry.spent_date, TimeEntry.project_id, TimeEntry.task_id, TimeEntry.source)
    rows = session.execute(select(*keys, func.sum(TimeEntry.duration_seconds)).where(*conditions).group_by(*keys))
    cells = {(r[0], r[1], r[2], r[3]): int(r[4] or 0) for r in rows}
    now = datetime.now(UTC)
    running = session.execute(
        select(*keys, TimeEntry.timer_started_at).where(*conditions, TimeEntry.is_running.is_(True))
    )
    for r in running:
        if r[4] is not None:
            key = (r[0], r[1], r[2], r[3])
            cells[key] = cells.get(key, 0) + elapsed_seconds(r[4], now)
    return [_Cell(k[0], k[1], k[2], k[3], v) for k, v in cells.items()]


def _names(
    session: Session, actor: Actor, project_ids: set[str], task_ids: set[str]
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """{project id: (project name, client name)}, {task id: task name}: two queries."""
    projects: dict[str, tuple[str, str]] = {}
    tasks: dict[str, str] = {}
    if project_ids:
        rows = session.execute(
            select(Project.id, Project.name, Client.name)
            .join(Client, Client.id == Project.client_id)
            .where(Project.account_id == actor.account_id, Project.id.in_(project_ids))
        )
        projects = {pid: (pname, cname) for pid, pname, cname in rows}
    if task_ids:
        rows2 = session.execute(
            select(Task.id, Task.name).where(Task.account_id == actor.account_id, Task.id.in_(task_ids))
        )
        tasks = {tid: tname for tid, tname in rows2}
    return projects, tasks


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
    """The day's entries in full, and per-day totals for its week from one aggregate."""
    uid = _owner(session, actor, user_id)
    start, end = week_bounds(day, actor.account.week_start)
    days = [start + timedelta(days=i) for i in range(7)]
    totals: dict[date, Decimal] = {d: ZERO for d in days}
    for cell in _week_cells(session, actor, start, end, source, uid):
        totals[cell.spent_date] = totals.get(cell.spent_date, ZERO) + seconds_to_hours(cell.seconds)
    filters = TimeEntryFilters(user_id=uid, date_from=day, date_to=day, source=source or None)
    todays, _ = time_entries.list_entries(session, actor, filters, Page(limit=MAX_ENTRIES_PER_VIEW, with_total=False))
    todays.sort(key=lambda v: v.entry.id)
    return DaySheet(
        day=day,
        week_days=days,
        entries=todays,
        day_totals=totals,
        day_total=sum((v.hours for v in todays), ZERO),
        week_total=sum(totals.values(), ZERO),
        client_names=_client_names(session, actor, todays),
    )


def week_sheet(
    session: Session, actor: Actor, day: date, *, source: str | None = None, user_id: str | None = None
) -> WeekSheet:
    """Hours per project and task for each day of the week, from one aggregate query."""
    start, end = week_bounds(day, actor.account.week_start)
    days = [start + timedelta(days=i) for i in range(7)]
    cells = _week_cells(session, actor, start, end, source, _owner(session, actor, user_id))
    projects, tasks = _names(session, actor, {c.project_id for c in cells}, {c.task_id for c in cells})
    grid: dict[tuple[str, str], WeekRow] = {}
    for c in cells:
        key = (c.project_id, c.task_id)
        row = grid.get(key)
        if row is None:
            project_name, client_name = projects.get(c.project_id, ("", ""))
            row = WeekRow(
                project_id=c.project_id,
                project_name=project_name,
                client_name=client_name,
                task_id=c.task_id,
                task_name=tasks.get(c.task_id, ""),
                hours=[ZERO] * 7,
                total=ZERO,
            )
            grid[key] = row
        hours = seconds_to_hours(c.seconds)
        row.hours[(c.spent_date - start).days] += hours
        row.total += hours
        row.sources.add(c.source)
    rows = sorted(grid.values(), key=lambda r: (r.client_name.lower(), r.project_name.lower(), r.task_name.lower()))
    day_totals = [sum((r.hours[i] for r in rows), ZERO) for i in range(7)]
    return WeekSheet(start=start, days=days, rows=rows, day_totals=day_totals, total=sum(day_totals, ZERO))


def day_signature(session: Session, actor: Actor, day: date, *, user_id: str | None = None) -> str:
    """Changes whenever the person's entries for ``day`` (or their running timer) change: the
    Day view polls it and redraws only then. One small aggregate query."""
    uid = _owner(session, actor, user_id)
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
        running = select(func.count(), func.max(TimeEntry.updated_at), func.max(TimeEntry.id)).where(
            TimeEntry.account_id == actor.account_id, TimeEntry.is_running.is_(True)
        )
        if (visible := teammates.scope(actor, TimeEntry.user_id)) is not None:
            running = running.where(visible)
        team = session.execute(running).one()
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

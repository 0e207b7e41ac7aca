"""Time entries: create (duration, start/end, or running timer), update, stop, restart, delete,
list. Owns every rule of decisions §3; api/ and web/ only translate.

Inputs are plain dicts of the fields the caller actually sent (so PATCH can tell "absent"
from ``null``), already type-checked by the API schemas or the web forms.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, insert, literal_column, select, union_all
from sqlalchemy import cast as sa_cast
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keito_server.db import grouped
from keito_server.db.engine import HELD_CONNECTION
from keito_server.db.models import (
    Account,
    Project,
    Task,
    TaskAssignment,
    TimeEntry,
    User,
    UserAssignment,
)
from keito_server.db.prepared import Prepared
from keito_server.domain import errors
from keito_server.domain.durations import (
    MAX_HOURS,
    SECONDS_PER_HOUR,
    hours_to_seconds,
    round_seconds,
    seconds_to_hours,
    span_seconds,
)
from keito_server.domain.errors import Conflict, RuleViolation, ValidationError
from keito_server.domain.ids import new_id
from keito_server.domain.metadata import AGENT_KEY, SESSION_KEY, check_metadata, indexed_key, merge_metadata
from keito_server.domain.rates import RateInputs, billable_rate
from keito_server.domain.sources import TIME_ENTRY_SOURCES, check_source, parse_source_filter
from keito_server.domain.timers import (
    clock_of,
    elapsed_seconds,
    entry_lock_reason,
    local_today,
    timer_start,
)
from keito_server.services import teammates
from keito_server.services.common import audit, get_scoped, not_assigned
from keito_server.services.context import Actor, Person
from keito_server.services.paging import Page, fetch_page

MAX_SECONDS = MAX_HOURS * SECONDS_PER_HOUR


@dataclass(frozen=True)
class TimeEntryView:
    """An entry with what both dialects and the web app show next to it."""

    entry: TimeEntry
    user_name: str
    project_name: str
    task_name: str
    client_id: str | None
    hours: Decimal  # a running timer includes the time since it started
    is_locked: bool


@dataclass(frozen=True)
class TimeEntryFilters:
    user_id: str | None = None
    client_id: str | None = None
    project_id: str | None = None
    task_id: str | None = None
    is_billed: bool | None = None
    is_running: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    updated_since: datetime | None = None
    source: str | None = None  # comma-separated
    session_id: str | None = None
    agent_id: str | None = None
    approval_status: str | None = None


# ── reads ──────────────────────────────────────────────────────────────────────────────


def list_entries(
    session: Session, actor: Actor, filters: TimeEntryFilters, page: Page
) -> tuple[list[TimeEntryView], int | None]:
    q = _filtered(actor, filters).order_by(TimeEntry.spent_date.desc(), TimeEntry.id.desc())
    rows, total = fetch_page(session, q, page)
    return views(session, actor, rows), total


def _filtered(actor: Actor, f: TimeEntryFilters) -> Select[Any]:
    q = select(TimeEntry).where(TimeEntry.account_id == actor.account_id)
    visible = teammates.scope(actor, TimeEntry.user_id)
    if visible is not None:
        q = q.where(visible)
    conditions = []
    if f.user_id:
        conditions.append(TimeEntry.user_id == f.user_id)
    if f.project_id:
        conditions.append(TimeEntry.project_id == f.project_id)
    if f.task_id:
        conditions.append(TimeEntry.task_id == f.task_id)
    if f.client_id:
        conditions.append(TimeEntry.project_id.in_(select(Project.id).where(Project.client_id == f.client_id)))
    if f.is_billed is not None:
        conditions.append(TimeEntry.is_billed.is_(f.is_billed))
    if f.is_running is not None:
        conditions.append(TimeEntry.is_running.is_(f.is_running))
    if f.date_from:
        conditions.append(TimeEntry.spent_date >= f.date_from)
    if f.date_to:
        conditions.append(TimeEntry.spent_date <= f.date_to)
    if f.updated_since:
        conditions.append(TimeEntry.updated_at >= f.updated_since)
    sources = parse_source_filter(f.source, TIME_ENTRY_SOURCES)
    if sources:
        conditions.append(TimeEntry.source.in_(sources))
    if f.session_id:
        conditions.append(TimeEntry.session_id == f.session_id)
    if f.agent_id:
        conditions.append(TimeEntry.agent_id == f.agent_id)
    if f.approval_status:
        conditions.append(TimeEntry.approval_status == f.approval_status)
    return q.where(and_(*conditions)) if conditions else q


def get_entry(session: Session, actor: Actor, entry_id: str) -> TimeEntryView:
    return views(session, actor, [_visible(session, actor, entry_id)])[0]


def views(session: Session, actor: Actor, entries: list[TimeEntry]) -> list[TimeEntryView]:
    """Views for many entries in a fixed number of queries (no N+1)."""
    if not entries:
        return []
    if len(entries) == 1:
        # One entry just written: its user, project and task are usually in the session already,
        # and session.get answers from there without a query (or queries when they are not).
        one = entries[0]
        user, project, task = (
            session.get(User, one.user_id),
            session.get(Project, one.project_id),
            session.get(Task, one.task_id),
        )
        return _build_views(
            actor,
            entries,
            {user.id: user.name} if user else {},
            {project.id: (project.name, project.client_id)} if project else {},
            {task.id: task.name} if task else {},
        )
    users = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_({e.user_id for e in entries})))}
    projects = {
        p.id: (p.name, p.client_id)
        for p in session.scalars(select(Project).where(Project.id.in_({e.project_id for e in entries})))
    }
    tasks = {t.id: t.name for t in session.scalars(select(Task).where(Task.id.in_({e.task_id for e in entries})))}
    return _build_views(actor, entries, users, projects, tasks)


def _build_views(
    actor: Actor,
    entries: list[TimeEntry],
    users: Mapping[str, str],
    projects: Mapping[str, tuple[str, str | None]],
    tasks: Mapping[str, str],
) -> list[TimeEntryView]:
    """``users``: id -> name; ``projects``: id -> (name, client id); ``tasks``: id -> name."""
    now = datetime.now(UTC)
    account = actor.rules
    out = []
    for e in entries:
        seconds = e.duration_seconds
        if e.is_running and e.timer_started_at is not None:
            seconds += elapsed_seconds(e.timer_started_at, now)
        project_name, client_id = projects.get(e.project_id, ("", None))
        reason = entry_lock_reason(
            approval_status=e.approval_status,
            is_billed=e.is_billed,
            spent_date=e.spent_date,
            lock_after_days=account.lock_after_days,
            tz=account.timezone,
        )
        out.append(
            TimeEntryView(
                entry=e,
                user_name=users.get(e.user_id, ""),
                project_name=project_name,
                task_name=tasks.get(e.task_id, ""),
                client_id=client_id,
                hours=seconds_to_hours(seconds),
                is_locked=reason is not None,
            )
        )
    return out


def _visible(session: Session, actor: Actor, entry_id: str, doing: str | None = None) -> TimeEntry:
    """The entry if the actor may see it (404 otherwise); with ``doing``, also change it."""
    entry = get_scoped(session, TimeEntry, entry_id, actor.account_id, "Time entry")
    if not teammates.can_see(session, actor, entry.user_id):
        raise errors.NotFound("Time entry")
    if doing:
        teammates.require_team_edit(actor, entry.user_id, doing)
    return entry


# ── writes ─────────────────────────────────────────────────────────────────────────────


def create_entry(
    session: Session,
    actor: Actor,
    data: dict[str, Any],
    *,
    default_source: str = "api",
    require_hours: bool = False,
) -> TimeEntryView:
    """Create a completed entry or start a timer. ``require_hours`` is v1's rule: a completed
    entry must say its hours (or its start and end); v2 follows Harvest and starts a timer.

    The first try may take its project, task and assignment from the context this process
    read for the last such create; its insert writes only if the workspace's context version
    is still the one that context was read at (ADR 0512, ADR 0515). Otherwise nothing was
    written, and the create runs again on a fresh read, as it does if the context changes
    between a read and the insert."""
    for guess in (True, False, False):
        try:
            return _create(session, actor, data, default_source, require_hours, guess)
        except _StaleContext:
            session.rollback()  # SQLite: lets go of the write lock; a timer being replaced stays
    raise Conflict("The project, task or assignment kept changing while this entry was saved; send it again.")


def _create(
    session: Session, actor: Actor, data: dict[str, Any], default_source: str, require_hours: bool, guess: bool
) -> TimeEntryView:
    account = actor.rules
    replace = bool(data.get("replace_running"))
    conn = _create_connection(session, replace)
    user = teammates.target_user(session, actor, data.get("user_id"), "log time for other people")
    person = actor.person if user is actor.user else Person.of(user)
    ctx = _log_context(conn, actor, person, data.get("project_id"), data.get("task_id"), remember=True, guess=guess)
    spent_date: date = data["spent_date"]
    metadata = check_metadata(data.get("metadata"))
    source = check_source(data.get("source") or default_source, TIME_ENTRY_SOURCES)
    started, ended = data.get("started_time"), data.get("ended_time")
    hours = data.get("hours")
    running = data.get("is_running")
    if running is None:
        running = hours is None and not (started and ended) and not require_hours
    if not running and hours is None and not (started and ended) and require_hours:
        raise ValidationError(
            "hours is required unless is_running is true (or give started_time and ended_time).", field="hours"
        )
    if ended and not started:
        raise ValidationError("ended_time needs a started_time.", field="started_time")
    if running and ended:
        raise ValidationError(
            "A running timer has no ended_time; leave it out or set is_running to false.", field="ended_time"
        )
    _check_not_locked_by_date(actor, spent_date)

    now = datetime.now(UTC)
    # Built in full here and written with one INSERT (no ORM unit of work on the busiest write).
    entry = _unsaved_entry(
        id=new_id("time_entry"),
        account_id=actor.account_id,
        user_id=person.id,
        project_id=ctx.project_id,
        task_id=ctx.task_id,
        spent_date=spent_date,
        duration_seconds=0,
        is_running=False,
        timer_started_at=None,
        started_time=None,
        ended_time=None,
        notes=data.get("notes"),
        is_billed=False,
        is_closed=False,
        invoice_id=None,
        approval_status="unsubmitted",
        approval_id=None,
        source=source,
        metadata_=metadata,
        session_id=indexed_key(metadata, SESSION_KEY),
        agent_id=indexed_key(metadata, AGENT_KEY),
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    _apply_rates(entry, person, ctx, data.get("billable"))
    if running:
        start = timer_start(spent_date, started, account.timezone, allow_past=account.allow_past_timer_starts)
        entry.is_running = True
        entry.timer_started_at = start
        entry.started_time = started or clock_of(start, account.timezone)
        entry.duration_seconds = hours_to_seconds(Decimal(hours)) if hours is not None else 0
    else:
        _set_duration(entry, hours, started, ended, account.rounding_minutes)
        _require_notes(actor, entry)
    _commit_timer_write(
        session, entry, replace_running=replace and running, actor=actor, insert=True, conn=conn, context_row=ctx.row
    )
    return _build_views(
        actor,
        [entry],
        {person.id: person.name},
        {ctx.project_id: (ctx.project_name, ctx.client_id)},
        {ctx.task_id: ctx.task_name},
    )[0]


def update_entry(session: Session, actor: Actor, entry_id: str, changes: dict[str, Any]) -> TimeEntryView:
    """Apply a PATCH. ``{"is_running": false}`` stops a running timer (v1's way, and what the
    official CLI sends), with ``hours`` as the final duration when given; ``true`` restarts."""
    entry = _visible(session, actor, entry_id, "edit other people's time")
    if "source" in changes and changes["source"] is not None and changes["source"] != entry.source:
        raise ValidationError("source cannot change after an entry is created.", field="source")
    if changes.get("is_running") is True and not entry.is_running:
        return restart_entry(session, actor, entry_id, replace_running=bool(changes.get("replace_running")))
    stopping = changes.get("is_running") is False and entry.is_running
    _check_editable(actor, entry)
    account = actor.rules
    if "spent_date" in changes and changes["spent_date"] is not None:
        _check_not_locked_by_date(actor, changes["spent_date"])
        entry.spent_date = changes["spent_date"]
    if "project_id" in changes or "task_id" in changes:
        user = session.get(User, entry.user_id)
        assert user is not None
        project_id, task_id = changes.get("project_id") or entry.project_id, changes.get("task_id") or entry.task_id
        person = Person.of(user)
        ctx = _log_context(session.connection(), actor, person, project_id, task_id)
        entry.project_id, entry.task_id = ctx.project_id, ctx.task_id
        _apply_rates(entry, person, ctx, changes.get("billable"))
    elif changes.get("billable") is not None:
        current = session.get(Project, entry.project_id)
        entry.billable = bool(changes["billable"]) and bool(
            current and current.is_billable and current.bill_by != "none"
        )
    if "notes" in changes:
        entry.notes = changes["notes"]
    if "metadata" in changes:
        entry.metadata_ = merge_metadata(entry.metadata_, changes["metadata"])
        entry.session_id = indexed_key(entry.metadata_, SESSION_KEY)
        entry.agent_id = indexed_key(entry.metadata_, AGENT_KEY)
    timing = {k: changes[k] for k in ("hours", "started_time", "ended_time") if k in changes}
    if stopping:
        _stop(entry, actor, hours=changes.get("hours"))
    elif timing and entry.is_running:
        if timing.get("hours") is not None or timing.get("ended_time") is not None:
            raise ValidationError(
                "A running timer's duration comes from the clock; stop it first (is_running: false).",
                field="hours" if "hours" in timing else "ended_time",
            )
    elif timing:
        started = timing.get("started_time", entry.started_time)
        ended = timing.get("ended_time", entry.ended_time)
        if timing.get("hours") is not None and not ({"started_time", "ended_time"} & set(timing)):
            started = ended = None  # hours alone switches the entry to duration mode
        if ended and not started:
            raise ValidationError("ended_time needs a started_time.", field="started_time")
        _set_duration(entry, timing.get("hours"), started, ended, account.rounding_minutes)
    if not entry.is_running:
        _require_notes(actor, entry)
    audit(
        session,
        actor.account_id,
        actor.user_id,
        "time_entry.stopped" if stopping else "time_entry.updated",
        entry.id,
        changes,
    )
    session.commit()
    return views(session, actor, [entry])[0]


class Unset:
    pass


UNSET: Any = Unset()


def stop_entry(
    session: Session, actor: Actor, entry_id: str, *, notes: Any = UNSET, hours: Any = None
) -> TimeEntryView:
    """Stop a running timer; the server computes the duration unless ``hours`` is given."""
    entry = _visible(session, actor, entry_id, "stop other people's timers")
    if not entry.is_running:
        raise Conflict("Time entry is not running.", code=errors.TIMER_NOT_RUNNING)
    _check_editable(actor, entry)
    if not isinstance(notes, Unset) and notes is not None:
        entry.notes = notes
    _stop(entry, actor, hours=hours)
    _require_notes(actor, entry)
    audit(session, actor.account_id, actor.user_id, "time_entry.stopped", entry.id)
    session.commit()
    return views(session, actor, [entry])[0]


def _stop(entry: TimeEntry, actor: Actor, *, hours: Any = None, now: datetime | None = None) -> None:
    account = actor.rules
    now = now or datetime.now(UTC)
    if hours is not None:
        seconds = hours_to_seconds(Decimal(hours))
    else:
        started = entry.timer_started_at or now
        seconds = entry.duration_seconds + elapsed_seconds(started, now)
    entry.duration_seconds = min(round_seconds(seconds, account.rounding_minutes), MAX_SECONDS)
    entry.is_running = False
    entry.timer_started_at = None
    entry.ended_time = clock_of(now, account.timezone)


def restart_entry(session: Session, actor: Actor, entry_id: str, *, replace_running: bool = False) -> TimeEntryView:
    entry = _visible(session, actor, entry_id, "restart other people's timers")
    if entry.is_running:
        raise Conflict("This time entry is already running.", code=errors.TIMER_ALREADY_RUNNING)
    _check_editable(actor, entry)
    now = datetime.now(UTC)
    entry.is_running = True
    entry.timer_started_at = now
    entry.ended_time = None
    if entry.started_time is None:
        entry.started_time = clock_of(now, actor.rules.timezone)
    audit(session, actor.account_id, actor.user_id, "time_entry.restarted", entry.id)
    _commit_timer_write(session, entry, replace_running=replace_running, actor=actor)
    return views(session, actor, [entry])[0]


def delete_entry(session: Session, actor: Actor, entry_id: str) -> None:
    entry = _visible(session, actor, entry_id, "delete other people's time")
    _check_editable(actor, entry)
    # The entry was the record of its own creation (ADR 0519): the deletion keeps it.
    created = {"created_by_id": entry.created_by_id, "created_at": entry.created_at.isoformat(), "source": entry.source}
    audit(session, actor.account_id, actor.user_id, "time_entry.deleted", entry.id, created)
    session.delete(entry)
    session.commit()


def running_entry(session: Session, actor: Actor, user_id: str | None = None) -> TimeEntryView | None:
    entry = session.scalar(
        select(TimeEntry).where(
            TimeEntry.account_id == actor.account_id,
            TimeEntry.user_id == (user_id or actor.user_id),
            TimeEntry.is_running.is_(True),
        )
    )
    return views(session, actor, [entry])[0] if entry else None


# ── rules ──────────────────────────────────────────────────────────────────────────────


def _create_connection(session: Session, replace: bool) -> Connection:
    """The connection a create runs its statements on. On PostgreSQL a create that needs no
    transaction runs in autocommit: its reads are checks and its write is one statement (the
    entry, ``_GUARDED_INSERT``), atomic on its own. Under READ
    COMMITTED, BEGIN ... COMMIT around them would add two round trips and nothing else: each
    statement sees the latest committed data either way, and the partial unique index referees
    the running timer either way (ADR 0507). On a thread of the direct lane that is the
    thread's held autocommit connection (ADR 0509); elsewhere the session's own, switched to
    autocommit while it has not begun (a session that has, say after looking up a key, keeps
    its transaction). ``replace`` (stop the running timer, start this one) needs a transaction,
    and SQLite always runs a write transaction."""
    held: Connection | None = session.info.get(HELD_CONNECTION)
    if held is not None and not replace:
        return held
    if not replace and session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session.connection()


def _commit_timer_write(
    session: Session,
    entry: TimeEntry,
    *,
    replace_running: bool,
    actor: Actor,
    insert: bool = False,
    conn: Connection | None = None,
    context_row: tuple[Any, ...] = (),
) -> None:
    """Commit a write that may make ``entry`` the user's running timer. The database's partial
    unique index is the referee, so the rule holds across processes; ``replace_running`` stops
    the current timer in the same transaction. ``insert``: ``entry`` is a new row, not in the
    session, written here on ``conn`` (``_create_connection``) if its context still reads
    ``context_row`` (else ``_StaleContext``). It records its creator itself (``created_by_id``),
    so a create writes no audit row (ADR 0519)."""
    conn = conn or session.connection()
    if entry.is_running:
        running = _RUNNING_TIMER.rows(conn, {"user_id": entry.user_id, "entry_id": entry.id})
        if running:
            current_id: str = running[0][0]
            if not replace_running:
                session.rollback()  # SQLite: let go of the write lock now
                raise _already_running(current_id)
            with session.no_autoflush:  # a restarted entry is in the session, not yet flushed
                current = session.get(TimeEntry, current_id)
            assert current is not None
            # The old timer must stop before this one runs: flush order within one table follows
            # primary keys, not our intent, so hold this entry off the running index meanwhile.
            entry.is_running = False
            _stop(current, actor)
            session.flush()
            entry.is_running = True
    try:
        if insert:
            _insert_entry(conn, entry, context_row, _groupable(session, conn, entry))
        # A create on a lane thread's held connection (ADR 0509) may leave the session untouched:
        # then there is nothing to commit, and beginning a transaction only to end it cost ~6 %
        # of the create's CPU (benchmarks/create_inprocess.py under py-spy).
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            session.commit()
    except IntegrityError as exc:
        session.rollback()
        if "running" in str(exc.orig).lower() or "time_entries.user_id" in str(exc.orig):
            raise _already_running(None) from None
        raise


def _groupable(session: Session, conn: Connection, entry: TimeEntry) -> bool:
    """Whether the create's insert may wait for others' to run with them (db/grouped.py, ADR
    0521): only on the lane thread's autocommit connection, where it is a transaction of its
    own, and never a timer start (its rule's check and the insert belong together). A parked
    create must hold nothing another create of its group may wait for, so a lane session that
    has read something (the actor, on an auth cache miss) ends that read-only transaction now,
    as it would have after the insert, and gives its pooled connection back; one that holds
    changes is not grouped."""
    if conn is not session.info.get(HELD_CONNECTION) or entry.is_running:
        return False
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return False
        session.commit()
    return True


def _already_running(entry_id: str | None) -> Conflict:
    which = f" ({entry_id})" if entry_id else ""
    return Conflict(
        f"Another timer is already running{which}; stop it first or send replace_running: true.",
        code=errors.TIMER_ALREADY_RUNNING,
    )


@dataclass(frozen=True)
class _LogContext:
    """What logging time on a project and task needs, read in one query."""

    project_id: str
    project_name: str
    client_id: str | None
    bill_by: str
    project_billable: bool
    project_rate: Decimal | None
    task_id: str
    task_name: str
    person_project_rate: Decimal | None  # the person's active assignment on the project
    task_rate: Decimal | None  # the task's rate on this project, else its default rate
    task_billable: bool  # billable by default on this project, else the task's own default
    row: tuple[Any, ...]  # the context query's row this was read from, for the insert's check


def _context_statement() -> Any:  # a Select of 18 typed, labelled columns
    # Plain table columns, not ORM attributes: the statement runs on the session's connection
    # as Core, without the ORM's compile and loading steps. The last column is the workspace's
    # context version, which the create's insert checks (``_guarded_insert``, ADR 0515): one
    # statement reads one snapshot, so the rows are those of that version.
    p, t, ua, ta, a = (cast(Table, m.__table__).c for m in (Project, Task, UserAssignment, TaskAssignment, Account))
    acct: Any = bindparam("account_id")
    return (
        select(
            p.id.label("p_id"),
            p.name.label("p_name"),
            p.client_id.label("p_client_id"),
            p.is_active.label("p_active"),
            p.is_billable.label("p_billable"),
            p.bill_by.label("p_bill_by"),
            p.hourly_rate.label("p_rate"),
            t.id.label("t_id"),
            t.name.label("t_name"),
            t.is_active.label("t_active"),
            t.default_hourly_rate.label("t_rate"),
            t.billable_by_default.label("t_billable"),
            ua.id.label("ua_id"),
            ua.hourly_rate.label("ua_rate"),
            ta.id.label("ta_id"),
            ta.hourly_rate.label("ta_rate"),
            ta.billable.label("ta_billable"),
            a.context_version.label("version"),
        )
        .select_from(cast(Table, Project.__table__))
        .join(cast(Table, Account.__table__), a.id == p.account_id)
        .outerjoin(cast(Table, Task.__table__), and_(t.id == bindparam("task_id"), t.account_id == acct))
        .outerjoin(
            cast(Table, UserAssignment.__table__),
            and_(ua.project_id == p.id, ua.user_id == bindparam("user_id"), ua.is_active.is_(True)),
        )
        .outerjoin(cast(Table, TaskAssignment.__table__), and_(ta.project_id == p.id, ta.task_id == t.id))
        .where(p.id == bindparam("project_id"), p.account_id == acct)
    )


_CONTEXT = Prepared(_context_statement())


def _log_context(
    conn: Connection,
    actor: Actor,
    person: Person,
    project_id: str | None,
    task_id: str | None,
    *,
    remember: bool = False,
    guess: bool = False,
) -> _LogContext:
    """The project, task and assignments for logging time, checked in the order the rules give
    their errors: project found and active, task found (or the project's default) and active,
    the person assigned (administrators may log anywhere).

    ``remember``: keep the row read here for the same workspace, project, task and person in
    ``_REMEMBERED`` (replacing any row kept before). ``guess``: a row kept there may stand in for
    the query (ADR 0512). Such a row is only a guess: the create's insert writes nothing unless
    the workspace's context version is still the row's (``_guarded_insert``, ADR 0515), and a
    guess that fails a rule is read again before it answers."""
    if not project_id:
        raise errors.NotFound("Project", field="project_id")
    defaulted = not task_id
    if defaulted:
        task_id = _default_task_id(conn, project_id)
    key = (actor.account_id, project_id, task_id, person.id)
    guessed = _REMEMBERED.get(key) if guess else None
    if guessed is not None:
        with contextlib.suppress(errors.KeitoError):  # perhaps stale: the answer comes from a fresh read
            return _checked_context(guessed, person, defaulted)
    params = {"account_id": actor.account_id, "project_id": project_id, "task_id": task_id, "user_id": person.id}
    rows = _CONTEXT.rows(conn, params)
    if not rows:
        _REMEMBERED.pop(key, None)
        raise errors.NotFound("Project", field="project_id")
    if remember:  # the latest row, even one that fails a rule: a later guess then fails it too
        if len(_REMEMBERED) >= _REMEMBER_AT_MOST:
            _REMEMBERED.clear()
        _REMEMBERED[key] = rows[0]
    return _checked_context(rows[0], person, defaulted)


# Context rows this process has read for creates: (workspace, project, task, person) -> row.
# Shared by the process's threads; a lost or stale row only costs a read (see _log_context).
_REMEMBERED: dict[tuple[str, str, str | None, str], tuple[Any, ...]] = {}
_REMEMBER_AT_MOST = 4_096  # about 6 MB when full (tracemalloc, rows of typical size)


def _checked_context(row: tuple[Any, ...], person: Person, defaulted: bool) -> _LogContext:
    (p_id, p_name, client_id, p_active, p_billable, bill_by, p_rate) = row[0:7]
    (t_id, t_name, t_active, t_rate, t_billable) = row[7:12]
    (ua_id, ua_rate, ta_id, ta_rate, ta_billable) = row[12:17]
    if not p_active:
        raise RuleViolation(f"Project '{p_name}' is archived; time cannot be logged on it.", field="project_id")
    if t_id is None:
        if defaulted:
            raise ValidationError("task_id is required: this project has no tasks to default to.", field="task_id")
        raise errors.NotFound("Task", field="task_id")
    if not t_active:
        raise RuleViolation(f"Task '{t_name}' is archived.", field="task_id")
    if ua_id is None and not person.is_admin:
        raise not_assigned(person.name, p_name)
    return _LogContext(
        project_id=p_id,
        project_name=p_name,
        client_id=client_id,
        bill_by=bill_by,
        project_billable=bool(p_billable) and bill_by != "none",
        project_rate=p_rate,
        task_id=t_id,
        task_name=t_name,
        person_project_rate=ua_rate,
        task_rate=ta_rate if ta_rate is not None else t_rate,
        task_billable=bool(ta_billable if ta_id is not None else t_billable),
        row=row,
    )


def _default_task_id(conn: Connection, project_id: str) -> str | None:
    """v1 makes task_id optional: the project's first active task (None: it has none)."""
    return conn.scalar(
        select(Task.id)
        .join(TaskAssignment, TaskAssignment.task_id == Task.id)
        .where(TaskAssignment.project_id == project_id, TaskAssignment.is_active.is_(True), Task.is_active.is_(True))
        .order_by(TaskAssignment.created_at, Task.name)
        .limit(1)
    )


def _apply_rates(entry: TimeEntry, person: Person, ctx: _LogContext, billable: bool | None) -> None:
    inputs = RateInputs(
        bill_by=ctx.bill_by,
        person_project_rate=ctx.person_project_rate,
        task_rate=ctx.task_rate,
        project_rate=ctx.project_rate,
        person_default_rate=person.default_hourly_rate,
    )
    entry.billable = ctx.project_billable and (ctx.task_billable if billable is None else bool(billable))
    entry.billable_rate = billable_rate(inputs) if ctx.project_billable else None
    entry.cost_rate = person.cost_rate


class _NewEntry:
    """A time entry being created: TimeEntry's column attributes as plain instance attributes
    (None until set), never in a session; ``_insert_entry`` writes it from its ``__dict__``
    with one statement. A mapped TimeEntry made by the ORM's ``new_instance`` did the same job,
    but each of a create's ~57 reads and writes of its fields went through SQLAlchemy's
    descriptors and change events: 10 % of the instructions a create ran (ADR 0518)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _unsaved_entry(**values: Any) -> TimeEntry:
    """A new entry for ``_create``: it reads and writes like a TimeEntry, and the code that
    handles a new entry (rates, duration, views, serializers) only reads and writes fields."""
    return cast(TimeEntry, _NewEntry(values))


# Column attribute -> column name of every TimeEntry column, for the one-statement insert.
_ENTRY_COLUMNS = [(attr.key, attr.columns[0].key) for attr in sa_inspect(TimeEntry).column_attrs]
_ENTRIES = cast(Table, TimeEntry.__table__)
for _attr, _ in _ENTRY_COLUMNS:  # an unset field of a new entry reads None, as the ORM's would
    setattr(_NewEntry, _attr, None)


def _guarded_insert() -> Any:  # named parameters; RETURNING the id
    """``INSERT INTO time_entries ... SELECT <the entry's values>`` only where the workspace's
    context version is still ``ctx_version``, the one the create's context row was read at
    (ADR 0515; the database's triggers raise it on every change to a workspace's projects,
    tasks and assignments). It returns the new id, or nothing when the context changed. One
    statement, atomic on its own, on both databases: the entry records who created it
    (``created_by_id``), so no audit row goes with it (ADR 0519)."""
    values = _guarded_values("")
    return insert(_ENTRIES).from_select([c.key for c in _ENTRIES.c], values).returning(_ENTRIES.c.id)


def _guarded_values(suffix: str) -> Any:
    """``SELECT <the entry's values> FROM accounts WHERE <the workspace's context version is
    still ctx_version>``: one row, or none; each parameter's name ends in ``suffix``."""
    accounts = cast(Table, Account.__table__)
    same = (
        select(literal_column("1").label("one"))
        .select_from(accounts)
        .where(
            accounts.c.id == bindparam(f"account_id{suffix}", type_=_ENTRIES.c.account_id.type),
            accounts.c.context_version == bindparam(f"ctx_version{suffix}", type_=accounts.c.context_version.type),
        )
        .cte(f"same{suffix}")
    )
    values: list[Any] = [bindparam(f"{c.key}{suffix}", type_=c.type) for c in _ENTRIES.c]
    if suffix:  # a row of a UNION ALL (PostgreSQL only) takes no type from the column it goes into
        values = [sa_cast(value, c.type) for value, c in zip(values, _ENTRIES.c, strict=True)]
    return select(*values).select_from(same)


# The create's write runs as a prepared statement (db/prepared.py, ADR 0508): on PostgreSQL
# one round trip, on SQLite one in-process statement.
_GUARDED_INSERT = Prepared(_guarded_insert())
_VERSION = len(_context_statement().selected_columns) - 1  # the context row's version column
# The user's running timer other than this entry (``entry_id``): at most one.
_RUNNING_TIMER = Prepared(
    select(_ENTRIES.c.id).where(
        _ENTRIES.c.user_id == bindparam("user_id"),
        _ENTRIES.c.is_running.is_(True),
        _ENTRIES.c.id != bindparam("entry_id"),
    )
)


class _StaleContext(Exception):
    """The create's context changed before its insert: nothing was written; read it again."""


class _GuardedInserts:
    """The guarded insert as a groupable write (db/grouped.py, ADR 0521): the entries of several
    creates in one ``INSERT ... SELECT ... UNION ALL SELECT ...``, each row under its own guard,
    so a row whose context changed is left out (its create reads the context again) while the
    others are written."""

    def one(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return _GUARDED_INSERT.rows(conn, params)

    def many(self, conn: Connection, params: Sequence[dict[str, Any]]) -> list[list[tuple[Any, ...]]]:
        written = {row[0] for row in _guarded_inserts(len(params)).rows(conn, grouped.numbered(params))}
        return [[(row["id"],)] if row["id"] in written else [] for row in params]


@functools.cache
def _guarded_inserts(n: int) -> Prepared:
    """The guarded insert of ``n`` entries (parameters numbered as ``grouped.numbered`` does)."""
    selects = [_guarded_values(f"_{i}") for i in range(n)]
    statement = insert(_ENTRIES).from_select([c.key for c in _ENTRIES.c], union_all(*selects))
    return Prepared(statement.returning(_ENTRIES.c.id))


_GUARDED_INSERTS = _GuardedInserts()


def _insert_entry(conn: Connection, entry: TimeEntry, context_row: tuple[Any, ...], groupable: bool) -> None:
    # Straight from the instance's __dict__, where every field of a new entry is (an unset one
    # reads None, as getattr would): the ORM's attribute access was ~2 % of a create's GIL time.
    state = entry.__dict__
    params = {column: state.get(attr) for attr, column in _ENTRY_COLUMNS}
    params["ctx_version"] = context_row[_VERSION]
    rows = grouped.submit(_GUARDED_INSERTS, conn, params) if groupable else _GUARDED_INSERT.rows(conn, params)
    if not rows:
        raise _StaleContext


def _set_duration(entry: TimeEntry, hours: Any, started: str | None, ended: str | None, rounding: int) -> None:
    if started and ended:
        seconds = span_seconds(started, ended)
    elif hours is not None:
        seconds = hours_to_seconds(Decimal(hours))
    else:
        seconds = entry.duration_seconds
    if seconds > MAX_SECONDS:
        raise ValidationError("An entry can be at most 24 hours.", field="hours")
    entry.duration_seconds = round_seconds(seconds, rounding)
    entry.started_time = started
    entry.ended_time = ended


def _require_notes(actor: Actor, entry: TimeEntry) -> None:
    if actor.rules.require_notes and not (entry.notes or "").strip():
        raise RuleViolation("This workspace requires notes on every time entry.", field="notes")


def _check_not_locked_by_date(actor: Actor, spent_date: date) -> None:
    account = actor.rules
    if actor.is_admin or account.lock_after_days <= 0:
        return
    if (local_today(account.timezone) - spent_date).days > account.lock_after_days:
        raise Conflict(
            f"Entries older than {account.lock_after_days} days are locked in this workspace.",
            code=errors.ENTRY_LOCKED,
            field="spent_date",
        )


def _check_editable(actor: Actor, entry: TimeEntry) -> None:
    account = actor.rules
    reason = entry_lock_reason(
        approval_status=entry.approval_status,
        is_billed=entry.is_billed,
        spent_date=entry.spent_date,
        lock_after_days=0 if actor.is_admin else account.lock_after_days,
        tz=account.timezone,
    )
    if entry.approval_status == "submitted" and not actor.is_manager:
        reason = "it is submitted for approval"
    if reason:
        raise Conflict(f"This time entry is locked: {reason}.", code=errors.ENTRY_LOCKED)

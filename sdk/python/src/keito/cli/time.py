"""keito time start|stop|log|list|running|session-record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from keito.cli import _resolve
from keito.cli._runtime import (
    EXIT_CONFLICT,
    EXIT_INPUT,
    EXIT_NOT_FOUND,
    CliError,
    State,
    check_metadata,
    emit,
    format_hours,
    parse_duration,
    parse_metadata,
    say,
    state,
    table,
    today,
)

app = typer.Typer(help="Timers and time entries.", no_args_is_help=True)

SOURCES = "web, cli, api, agent, calendar or desktop"
Project = Annotated[str, typer.Option("--project", help="Project id, name or code.")]
Task = Annotated[str, typer.Option("--task", help="Task id or name.")]
Notes = Annotated[str | None, typer.Option("--notes", help="What was done.")]
Billable = Annotated[bool | None, typer.Option("--billable/--non-billable", help="Override the default.")]
Source = Annotated[str | None, typer.Option("--source", help=f"{SOURCES} (agent when run by an agent, else cli).")]
Metadata = Annotated[str | None, typer.Option("--metadata", help="JSON object merged into the entry's metadata.")]
SessionId = Annotated[str | None, typer.Option("--session-id", help="metadata.session_id (detected for agents).")]
AgentId = Annotated[str | None, typer.Option("--agent-id", envvar="KEITO_AGENT_ID", help="metadata.agent_id.")]
AgentType = Annotated[str | None, typer.Option("--agent-type", help="metadata.agent_type (detected for agents).")]
Skill = Annotated[str | None, typer.Option("--skill", help="metadata.skill.")]
Date = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default today).")]


def agent_fields(
    source: str | None,
    metadata: str | None,
    session_id: str | None,
    agent_id: str | None,
    agent_type: str | None,
    skill: str | None = None,
    default_source: str = "cli",
) -> tuple[str, dict[str, Any]]:
    """(source, metadata): flags win over what the environment says about a running agent."""
    from keito.cli.agents import detect

    found = detect()
    meta = parse_metadata(metadata)
    extra = {
        "agent_type": agent_type or found.agent_type,
        "session_id": session_id or found.session_id,
        "agent_id": agent_id or found.agent_id,
        "skill": skill,
    }
    meta.update({k: v for k, v in extra.items() if v})
    if source is None:
        source = "agent" if (found.is_agent or default_source == "agent") else default_source
    return source, check_metadata(meta)


def _summary(e: Any, status: str) -> dict[str, Any]:
    return {
        "status": status,
        "entry_id": e.id,
        "project": e.project.name if e.project else e.project_id,
        "task": e.task.name if e.task else e.task_id,
        "spent_date": e.spent_date,
        "duration_hours": e.hours,
        "duration": format_hours(e.hours),
        "billable": e.billable,
        "source": e.source,
        "started_at": e.timer_started_at,
        "metadata": e.metadata,
    }


def _running(st: State) -> list[Any]:
    c = st.client()
    me = c.users.me()
    return list(c.time_entries.list(is_running=True, user_id=me.id))


@app.command()
def start(
    ctx: typer.Context,
    project: Project,
    task: Task,
    notes: Notes = None,
    billable: Billable = None,
    source: Source = None,
    metadata: Metadata = None,
    session_id: SessionId = None,
    agent_id: AgentId = None,
    agent_type: AgentType = None,
) -> None:
    """Start a timer (exit 3 when one is already running)."""
    st = state(ctx)
    c = st.client()
    running = _running(st)
    if running:
        raise CliError(
            EXIT_CONFLICT, "A timer is already running.", "keito time stop", error_code="timer_already_running"
        )
    p = _resolve.project(c, project)
    t = _resolve.task(c, p.id, task)
    src, meta = agent_fields(source, metadata, session_id, agent_id, agent_type)
    e = c.time_entries.start_timer(
        project_id=p.id, task_id=t.id, notes=notes, billable=billable, source=src, metadata=meta or None
    )
    emit(st, _summary(e, "started"), lambda: say(f"[green]Started![/] Timer started for {p.name} / {t.name}"))


@app.command()
def stop(
    ctx: typer.Context,
    notes: Notes = None,
    discard: Annotated[bool, typer.Option("--discard", help="Delete the running entry instead of saving it.")] = False,
) -> None:
    """Stop the running timer (exit 4 when none runs)."""
    st = state(ctx)
    running = _running(st)
    if not running:
        raise CliError(EXIT_NOT_FOUND, "No running timer found.", "keito time start --project <ID> --task <ID>")
    entry = running[0]
    c = st.client()
    if discard:
        c.time_entries.delete(entry.id)
        data = _summary(entry, "discarded")
        emit(st, data, lambda: say(f"Discarded the timer on {data['project']} / {data['task']}"))
        return
    from keito import NOT_GIVEN

    e = c.time_entries.stop(entry.id, notes=notes if notes is not None else NOT_GIVEN)
    data = _summary(e, "stopped")
    emit(st, data, lambda: say(f"[green]Stopped![/] {data['duration']} for {data['project']} / {data['task']}"))


def _hours(hours: str | None, duration: str | None, seconds: int | None) -> float | None:
    given = [x for x in (hours, duration, seconds) if x is not None]
    if len(given) > 1:
        raise CliError(EXIT_INPUT, "Give only one of --hours, --duration and --duration-seconds.")
    if seconds is not None:
        if seconds <= 0:
            raise CliError(EXIT_INPUT, "--duration-seconds must be greater than zero.")
        return round(seconds / 3600, 2)
    text = hours if hours is not None else duration
    return parse_duration(text) if text is not None else None


@app.command()
def log(
    ctx: typer.Context,
    project: Project,
    task: Task,
    hours: Annotated[str | None, typer.Option("--hours", help="Hours, e.g. 1.5 (same as --duration).")] = None,
    duration: Annotated[str | None, typer.Option("--duration", help="1.5 or 1:30.")] = None,
    duration_seconds: Annotated[int | None, typer.Option("--duration-seconds", help="Seconds.")] = None,
    date: Date = None,
    started_time: Annotated[str | None, typer.Option("--started-time", help="HH:MM.")] = None,
    ended_time: Annotated[str | None, typer.Option("--ended-time", help="HH:MM.")] = None,
    notes: Notes = None,
    billable: Billable = None,
    source: Source = None,
    metadata: Metadata = None,
    session_id: SessionId = None,
    agent_id: AgentId = None,
    agent_type: AgentType = None,
    skill: Skill = None,
) -> None:
    """Log a finished piece of work."""
    st = state(ctx)
    value = _hours(hours, duration, duration_seconds)
    if value is None and not (started_time and ended_time):
        raise CliError(EXIT_INPUT, "Give --hours/--duration/--duration-seconds, or --started-time and --ended-time.")
    c = st.client()
    p = _resolve.project(c, project)
    t = _resolve.task(c, p.id, task)
    src, meta = agent_fields(source, metadata, session_id, agent_id, agent_type, skill)
    e = c.time_entries.create(
        project_id=p.id,
        task_id=t.id,
        spent_date=date or today(),
        hours=value,
        started_time=started_time,
        ended_time=ended_time,
        notes=notes,
        billable=billable,
        source=src,
        metadata=meta or None,
    )
    data = _summary(e, "logged")
    emit(st, data, lambda: say(f"[green]Logged[/] {data['duration']} on {p.name} / {t.name} ({e.spent_date})"))


@app.command("list")
def list_(
    ctx: typer.Context,
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    today_: Annotated[bool, typer.Option("--today", help="Only today.")] = False,
    project: Annotated[str | None, typer.Option("--project", help="Project id, name or code.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Comma-separated sources.")] = None,
    session_id: Annotated[str | None, typer.Option("--session-id", help="metadata.session_id.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (0: all).")] = 50,
) -> None:
    """Time entries, newest first; shows progress on a terminal while pages load."""
    st = state(ctx)
    if today_ and (from_ or to):
        raise CliError(EXIT_INPUT, "--today cannot be combined with --from/--to.")
    if today_:
        from_ = to = today()
    c = st.client()
    pid = _resolve.project(c, project).id if project else None
    pager = c.time_entries.list(
        from_date=from_, to_date=to, project_id=pid, source=source, session_id=session_id, per_page=100
    )
    rows = _collect(st, pager, limit)
    emit(
        st,
        rows,
        lambda: (
            table(
                ["Date", "Project", "Task", "Duration", "Source", "Notes"],
                [
                    [
                        e.spent_date,
                        e.project.name if e.project else "",
                        e.task.name if e.task else "",
                        _dur(e),
                        e.source,
                    ]
                    + [e.notes]
                    for e in rows
                ],
            )
            if rows
            else say("No results found.")
        ),
    )


def _dur(e: Any) -> str:
    return "running" if e.is_running else format_hours(e.hours)


def _collect(st: State, pager: Any, limit: int) -> list[Any]:
    rows: list[Any] = []
    progress = None
    import sys

    if not st.json and sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        job = progress.add_task("Loading entries", total=None)
    try:
        for page in pager.pages():
            rows.extend(page)
            if progress is not None:
                progress.update(job, total=pager.total_entries, completed=len(rows))
            if limit and len(rows) >= limit:
                return rows[:limit]
        return rows
    finally:
        if progress is not None:
            progress.stop()


@app.command()
def running(ctx: typer.Context) -> None:
    """The running timer, if any (always exit 0)."""
    from keito.cli._fast import show_running

    show_running(state(ctx))


@app.command("session-record")
def session_record(
    ctx: typer.Context,
    project: Project,
    task: Task,
    session_id: Annotated[str, typer.Option("--session-id", help="The agent session (the upsert key).")],
    duration_seconds: Annotated[int, typer.Option("--duration-seconds", help="Session length in seconds.")],
    started_at: Annotated[str | None, typer.Option("--started-at", help="RFC 3339 start.")] = None,
    ended_at: Annotated[str | None, typer.Option("--ended-at", help="RFC 3339 end.")] = None,
    date: Date = None,
    notes: Notes = None,
    billable: Billable = None,
    source: Annotated[str | None, typer.Option("--source", help=f"{SOURCES} (default agent).")] = None,
    metadata: Metadata = None,
    agent_id: AgentId = None,
    agent_type: AgentType = None,
    skill: Skill = None,
) -> None:
    """Record an agent session as one entry: run it again with the same --session-id and the entry
    is updated, never duplicated."""
    st = state(ctx)
    hours = _hours(None, None, duration_seconds)
    start_at = _parse_ts(started_at, "--started-at")
    end_at = _parse_ts(ended_at, "--ended-at")
    spent = date or (start_at.astimezone().date().isoformat() if start_at else today())
    c = st.client()
    p = _resolve.project(c, project)
    t = _resolve.task(c, p.id, task)
    src, meta = agent_fields(source, metadata, session_id, agent_id, agent_type, skill, default_source="agent")
    meta["session_id"] = session_id
    fields: dict[str, Any] = {
        "project_id": p.id,
        "task_id": t.id,
        "spent_date": spent,
        "hours": hours,
        "notes": notes,
        "metadata": meta,
    }
    if billable is not None:
        fields["billable"] = billable
    if start_at and end_at:
        fields["started_time"] = start_at.astimezone().strftime("%H:%M")
        fields["ended_time"] = end_at.astimezone().strftime("%H:%M")
    existing = c.time_entries.list(session_id=session_id).first()
    if existing is not None:
        e = c.time_entries.update(existing.id, **{k: v for k, v in fields.items() if v is not None})
        status = "updated"
    else:
        e = c.time_entries.create(**fields, source=src)
        status = "created"
    data = _summary(e, status)
    data["session_id"] = session_id
    emit(st, data, lambda: say(f"{status.capitalize()} {data['duration']} for session {session_id}"))


def _parse_ts(value: str | None, flag: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(EXIT_INPUT, f"{flag} must be an RFC 3339 timestamp.") from None

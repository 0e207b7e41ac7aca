"""Time: the Day view (timer bar, entries, totals, live updates), the Week grid, an entry's
detail page, and the forms that start, stop, add, edit, restart, copy and delete entries.

Every write goes through services/time_entries.py with ``default_source="web"``, the same
functions the API calls; pages only parse forms and choose what to render.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from keito_server.domain.durations import parse_duration
from keito_server.domain.errors import KeitoError, ValidationError
from keito_server.domain.sources import TIME_ENTRY_SOURCES
from keito_server.domain.timers import local_today
from keito_server.services import teammates, time_entries, timesheets, users
from keito_server.services.context import Actor
from keito_server.services.paging import Page
from keito_server.services.time_entries import TimeEntryView
from keito_server.services.users import UserFilters
from keito_server.web.deps import CurrentWebActor, SessionDep, redirect, render

router = APIRouter(prefix="/time")

# How often the Day view asks whether anything changed (an agent's timer, another tab).
POLL_SECONDS = 4


def _today(actor: Actor) -> date:
    return local_today(actor.account.timezone)


def _source(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value if value in TIME_ENTRY_SOURCES else None


def _day_url(day: date, source: str | None = None) -> str:
    return f"/time/day/{day.isoformat()}" + (f"?source={source}" if source else "")


def timer_start_ms(view: TimeEntryView) -> int | None:
    """Epoch milliseconds from which the browser counts a running timer (start minus time
    already recorded before a restart)."""
    e = view.entry
    if not e.is_running or e.timer_started_at is None:
        return None
    return int((e.timer_started_at.timestamp() - e.duration_seconds) * 1000)


def _back(request: Request, fallback: str) -> str:
    """Where a form on the Day or Week view returns to (its own page, never another site)."""
    ref = request.headers.get("referer", "")
    host = request.headers.get("host", "")
    for prefix in (f"http://{host}", f"https://{host}"):
        if host and ref.startswith(prefix + "/time"):
            return ref[len(prefix) :]
    return fallback


# ── views ──────────────────────────────────────────────────────────────────────────────


@router.get("")
def time_home(actor: CurrentWebActor) -> Response:
    return redirect(_day_url(_today(actor)))


@router.get("/day")
def day_pick(actor: CurrentWebActor, date: date | None = None, source: str | None = None) -> Response:
    return redirect(_day_url(date or _today(actor), _source(source)))


def _query(source: str | None, user: str | None) -> tuple[str, str]:
    """("?source=..&user=..", "user=..") for the links that keep the view's filters."""
    uq = f"user={quote(user)}" if user else ""
    params = ([f"source={source}"] if source else []) + ([uq] if uq else [])
    return ("?" + "&".join(params) if params else ""), uq


def _viewing(session: Any, actor: Actor, user: str | None) -> dict[str, Any]:
    """Whose timesheet the page shows. Managers pick a teammate (or agent); the services refuse
    anyone else's with a 403."""
    other = user if user and user != actor.user_id else None
    people: list[tuple[str, str]] = []
    name = actor.user.name
    if actor.is_manager:
        found, _ = users.list_users(session, actor, UserFilters(is_active=True), Page(limit=2000, with_total=False))
        visible = teammates.visible_user_ids(session, actor)
        people = sorted(
            ((p.user.id, p.user.name) for p in found if visible is None or p.user.id in visible),
            key=lambda x: (x[0] != actor.user_id, x[1].lower()),
        )
        name = next((n for i, n in people if i == other), name) if other else name
    return {
        "viewing_id": other or actor.user_id,
        "viewing_self": other is None,
        "viewing_name": name,
        "people": people if len(people) > 1 else [],
        "other": other,
    }


def _live_context(session: Any, actor: Actor, day: date, source: str | None, user: str | None) -> dict[str, Any]:
    other = user if user and user != actor.user_id else None
    sheet = timesheets.day_sheet(session, actor, day, source=source, user_id=other)
    q, uq = _query(source, other)
    return {
        "day": day,
        "sheet": sheet,
        "source": source,
        "q": q,
        "uq": uq,
        "running": time_entries.running_entry(session, actor, other),
        "team_running": timesheets.team_running(session, actor) if other is None else [],
        "signature": timesheets.day_signature(session, actor, day, user_id=other),
        "today": _today(actor),
        "timer_start_ms": timer_start_ms,
        "poll_seconds": POLL_SECONDS,
    }


@router.get("/day/{day}")
def day_view(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    day: date,
    source: str | None = None,
    user: str | None = None,
) -> Response:
    source = _source(source)
    ctx = _live_context(session, actor, day, source, user)
    ctx.update(_viewing(session, actor, user))
    ctx.update(
        {
            "projects": timesheets.pickers(session, actor),
            "prev_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
        }
    )
    return render(request, "time/day.html", ctx)


@router.get("/day/{day}/live")
def day_live(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    day: date,
    sig: str = "",
    source: str | None = None,
    user: str | None = None,
) -> Response:
    """The polled fragment: 204 (nothing to swap) until the day's signature changes."""
    other = user if user and user != actor.user_id else None
    if sig and sig == timesheets.day_signature(session, actor, day, user_id=other):
        return Response(status_code=204)
    return render(request, "time/_day_live.html", _live_context(session, actor, day, _source(source), user))


@router.get("/week")
def week_home(actor: CurrentWebActor) -> Response:
    return redirect(f"/time/week/{_today(actor).isoformat()}")


@router.get("/week/{day}")
def week_view(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    day: date,
    source: str | None = None,
    user: str | None = None,
) -> Response:
    source = _source(source)
    viewing = _viewing(session, actor, user)
    sheet = timesheets.week_sheet(session, actor, day, source=source, user_id=viewing["other"])
    q, uq = _query(source, viewing["other"])
    ctx = {
        **viewing,
        "q": q,
        "uq": uq,
        "day": day,
        "sheet": sheet,
        "source": source,
        "today": _today(actor),
        "prev_week": sheet.start - timedelta(days=7),
        "next_week": sheet.start + timedelta(days=7),
    }
    return render(request, "time/week.html", ctx)


@router.get("/tasks", response_class=HTMLResponse)
def task_options(
    request: Request, session: SessionDep, actor: CurrentWebActor, project_id: str = "", task_id: str = ""
) -> Response:
    """The task <option>s for the chosen project (the task picker follows the project picker)."""
    choice = next((p for p in timesheets.pickers(session, actor) if p.id == project_id), None)
    return render(request, "time/_task_options.html", {"tasks": choice.tasks if choice else [], "selected": task_id})


@router.get("/entries/{entry_id}")
def entry_detail(request: Request, session: SessionDep, actor: CurrentWebActor, entry_id: str) -> Response:
    view = time_entries.get_entry(session, actor, entry_id)
    costs = timesheets.session_expenses(session, actor, view.entry.session_id)
    return render(
        request,
        "time/entry.html",
        {"v": view, "costs": costs, "timer_start_ms": timer_start_ms, "metadata": view.entry.metadata_ or {}},
    )


@router.get("/entries/{entry_id}/edit")
def entry_edit(request: Request, session: SessionDep, actor: CurrentWebActor, entry_id: str) -> Response:
    view = time_entries.get_entry(session, actor, entry_id)
    return render(
        request,
        "time/edit.html",
        {"v": view, "projects": timesheets.pickers(session, actor), "back": _day_url(view.entry.spent_date)},
    )


# ── writes ─────────────────────────────────────────────────────────────────────────────


def _hours(text: str) -> Decimal:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise ValidationError(f"{exc}.", field="hours") from None


def _timing(mode: str, hours: str, started_time: str, ended_time: str) -> dict[str, Any]:
    if mode == "times":
        if not started_time.strip() or not ended_time.strip():
            raise ValidationError("Give both a start and an end time (HH:MM).", field="started_time")
        return {"started_time": started_time.strip(), "ended_time": ended_time.strip()}
    if not hours.strip():
        raise ValidationError("Enter the time spent, such as 1.5 or 1:30.", field="hours")
    return {"hours": _hours(hours)}


@router.post("/timer/start")
def timer_start(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    project_id: Annotated[str, Form()] = "",
    task_id: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    spent_date: Annotated[str, Form()] = "",
) -> Response:
    day = _parse_day(spent_date) or _today(actor)
    back = _back(request, _day_url(day))
    try:
        time_entries.create_entry(
            session,
            actor,
            {
                "project_id": project_id,
                "task_id": task_id or None,
                "notes": notes.strip() or None,
                "spent_date": day,
                "is_running": True,
                # In the web app, starting a timer stops and saves the running one (keito-docs §1.11).
                "replace_running": True,
            },
            default_source="web",
        )
    except KeitoError as exc:
        return redirect(back, request, error=exc.message)
    return redirect(back, request, flash="Timer started.")


@router.post("/entries")
def entry_create(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    project_id: Annotated[str, Form()] = "",
    task_id: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    spent_date: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "duration",
    hours: Annotated[str, Form()] = "",
    started_time: Annotated[str, Form()] = "",
    ended_time: Annotated[str, Form()] = "",
) -> Response:
    day = _parse_day(spent_date) or _today(actor)
    back = _back(request, _day_url(day))
    try:
        data: dict[str, Any] = {
            "project_id": project_id,
            "task_id": task_id or None,
            "notes": notes.strip() or None,
            "spent_date": day,
            "is_running": False,
        }
        data.update(_timing(mode, hours, started_time, ended_time))
        time_entries.create_entry(session, actor, data, default_source="web", require_hours=True)
    except KeitoError as exc:
        return redirect(back, request, error=exc.message)
    return redirect(back, request, flash="Time saved.")


@router.post("/entries/{entry_id}/edit")
def entry_update(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    entry_id: str,
    project_id: Annotated[str, Form()] = "",
    task_id: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    spent_date: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "duration",
    hours: Annotated[str, Form()] = "",
    started_time: Annotated[str, Form()] = "",
    ended_time: Annotated[str, Form()] = "",
) -> Response:
    try:
        current = time_entries.get_entry(session, actor, entry_id).entry
        changes: dict[str, Any] = {"notes": notes.strip() or None}
        if project_id and project_id != current.project_id:
            changes["project_id"] = project_id
        if task_id and task_id != current.task_id:
            changes["task_id"] = task_id
        day = _parse_day(spent_date)
        if day and day != current.spent_date:
            changes["spent_date"] = day
        if not current.is_running:
            changes.update(_timing(mode, hours, started_time, ended_time))
        view = time_entries.update_entry(session, actor, entry_id, changes)
    except KeitoError as exc:
        session.rollback()
        return redirect(f"/time/entries/{entry_id}/edit", request, error=exc.message)
    return redirect(_day_url(view.entry.spent_date), request, flash="Entry updated.")


@router.post("/entries/{entry_id}/stop")
def entry_stop(request: Request, session: SessionDep, actor: CurrentWebActor, entry_id: str) -> Response:
    try:
        view = time_entries.stop_entry(session, actor, entry_id)
    except KeitoError as exc:
        return redirect(_back(request, "/time"), request, error=exc.message)
    return redirect(_back(request, _day_url(view.entry.spent_date)), request, flash="Timer stopped.")


@router.post("/entries/{entry_id}/restart")
def entry_restart(request: Request, session: SessionDep, actor: CurrentWebActor, entry_id: str) -> Response:
    try:
        view = time_entries.restart_entry(session, actor, entry_id, replace_running=True)
    except KeitoError as exc:
        return redirect(_back(request, "/time"), request, error=exc.message)
    return redirect(_back(request, _day_url(view.entry.spent_date)), request, flash="Timer restarted.")


@router.post("/entries/{entry_id}/copy")
def entry_copy(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    entry_id: str,
    spent_date: Annotated[str, Form()] = "",
) -> Response:
    """A new entry with the same project, task, notes and hours, on the day being viewed."""
    try:
        source = time_entries.get_entry(session, actor, entry_id)
        e = source.entry
        day = _parse_day(spent_date) or _today(actor)
        time_entries.create_entry(
            session,
            actor,
            {
                "project_id": e.project_id,
                "task_id": e.task_id,
                "notes": e.notes,
                "spent_date": day,
                "hours": source.hours if not e.is_running else Decimal(0),
                "is_running": False,
            },
            default_source="web",
            require_hours=True,
        )
    except KeitoError as exc:
        return redirect(_back(request, "/time"), request, error=exc.message)
    return redirect(_back(request, _day_url(day)), request, flash="Entry copied.")


@router.post("/entries/{entry_id}/delete")
def entry_delete(request: Request, session: SessionDep, actor: CurrentWebActor, entry_id: str) -> Response:
    try:
        day = time_entries.get_entry(session, actor, entry_id).entry.spent_date
        time_entries.delete_entry(session, actor, entry_id)
    except KeitoError as exc:
        return redirect(_back(request, "/time"), request, error=exc.message)
    return redirect(_back(request, _day_url(day)), request, flash="Entry deleted.")


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        raise ValidationError(f"'{value}' is not a date (YYYY-MM-DD).", field="spent_date") from None

"""Settings: Personal (name, timezone, password), Company (administrators), and
API & Developers (the Company ID, personal and agent API keys: create, shown once, revoke)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from keito_server.domain.durations import ROUNDING_CHOICES
from keito_server.domain.errors import KeitoError, ValidationError
from keito_server.services import accounts, api_keys, auth, users
from keito_server.services.accounts import WEEKDAYS
from keito_server.services.context import Actor
from keito_server.services.paging import Page
from keito_server.services.users import UserFilters
from keito_server.web.deps import AdminActor, CurrentWebActor, SessionDep, WebSessionDep, redirect, render

router = APIRouter(prefix="/settings")


@router.get("")
def settings_home(actor: CurrentWebActor) -> Response:
    return redirect("/settings/personal")


@router.get("/personal")
def personal_page(request: Request, actor: CurrentWebActor) -> Response:
    return render(request, "settings/personal.html", {"tab": "personal"})


@router.post("/personal")
def personal_save(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
) -> Response:
    try:
        users.update_user(
            session,
            actor,
            actor.user_id,
            {"first_name": first_name, "last_name": last_name.strip() or None, "timezone": timezone.strip() or None},
        )
    except KeitoError as exc:
        session.rollback()
        return redirect("/settings/personal", request, error=exc.message)
    return redirect("/settings/personal", request, flash="Your profile is saved.")


@router.post("/password")
def password_change(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    ws: WebSessionDep,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    try:
        login = auth.change_password(session, actor, current_password, new_password, confirm_password)
    except KeitoError as exc:
        session.rollback()
        return redirect("/settings/personal", request, error=exc.message)
    # This session stays logged in; every other session of this login ends.
    ws["pw"] = auth.fingerprint(login)
    return redirect("/settings/personal", request, flash="Password changed. Other sessions are logged out.")


@router.get("/company")
def company_page(request: Request, actor: AdminActor) -> Response:
    return render(
        request,
        "settings/company.html",
        {"tab": "company", "weekdays": WEEKDAYS, "roundings": ROUNDING_CHOICES},
    )


def _int(value: str, field: str, label: str) -> int:
    try:
        return int((value or "0").strip() or "0")
    except ValueError:
        raise ValidationError(f"{label} must be a whole number.", field=field) from None


@router.post("/company")
def company_save(
    request: Request,
    session: SessionDep,
    actor: AdminActor,
    name: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "UTC",
    currency: Annotated[str, Form()] = "USD",
    week_start: Annotated[str, Form()] = "monday",
    rounding_minutes: Annotated[str, Form()] = "0",
    lock_after_days: Annotated[str, Form()] = "0",
    allow_past_timer_starts: Annotated[str, Form()] = "",
    require_notes: Annotated[str, Form()] = "",
    feature_expenses: Annotated[str, Form()] = "",
    feature_invoicing: Annotated[str, Form()] = "",
    feature_approvals: Annotated[str, Form()] = "",
) -> Response:
    try:
        if not name.strip():
            raise ValidationError("Give the company a name.", field="name")
        changes: dict[str, Any] = {
            "name": name.strip(),
            "timezone": timezone.strip(),
            "currency": currency.strip(),
            "week_start": week_start,
            "rounding_minutes": _int(rounding_minutes, "rounding_minutes", "Rounding"),
            "lock_after_days": _int(lock_after_days, "lock_after_days", "Lock after"),
            "allow_past_timer_starts": bool(allow_past_timer_starts),
            "require_notes": bool(require_notes),
            "feature_expenses": bool(feature_expenses),
            "feature_invoicing": bool(feature_invoicing),
            "feature_approvals": bool(feature_approvals),
        }
        accounts.update_settings(session, actor, changes)
    except KeitoError as exc:
        session.rollback()
        return redirect("/settings/company", request, error=exc.message)
    return redirect("/settings/company", request, flash="Company settings saved.")


def _api_context(session: Any, actor: Actor) -> dict[str, Any]:
    keys = api_keys.list_keys(session, actor)
    mine = [k for k in keys if k.user_id == actor.user_id]
    others = [k for k in keys if k.user_id != actor.user_id]
    names: dict[str, str] = {}
    if others:
        people, _ = users.list_users(session, actor, UserFilters(), Page(limit=2000, with_total=False))
        names = {p.user.id: p.user.name for p in people}
    return {"tab": "api", "mine": mine, "others": others, "names": names}


@router.get("/api")
def api_page(request: Request, session: SessionDep, actor: CurrentWebActor) -> Response:
    return render(request, "settings/api.html", _api_context(session, actor))


@router.post("/api/keys")
def api_key_create(
    request: Request, session: SessionDep, actor: CurrentWebActor, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        key, token = api_keys.create_key(session, actor, user_id=actor.user_id, name=name)
    except KeitoError as exc:
        return redirect("/settings/api", request, error=exc.message)
    ctx = _api_context(session, actor)
    ctx["new_key"] = {"key": key, "token": token, "user": None}
    return render(request, "settings/api.html", ctx, status=201)


@router.post("/api/keys/{key_id}/revoke")
def api_key_revoke(
    request: Request,
    session: SessionDep,
    actor: CurrentWebActor,
    key_id: str,
    back: Annotated[str, Form()] = "/settings/api",
) -> Response:
    target = back if back.startswith(("/settings/", "/team/")) else "/settings/api"
    try:
        key = api_keys.revoke_key(session, actor, key_id)
    except KeitoError as exc:
        return redirect(target, request, error=exc.message)
    return redirect(target, request, flash=f"Key “{key.name}” is revoked; it no longer works.")

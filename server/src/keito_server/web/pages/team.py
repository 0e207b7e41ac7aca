"""Team: members with their role and rates; invite a human (a link to hand over); add an agent
user with its rates and projects and create its API key (shown once); edit a member."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from keito_server.domain import permissions
from keito_server.domain.errors import KeitoError, ValidationError
from keito_server.services import api_keys, invites, projects, teammates, timesheets, users
from keito_server.services.context import Actor
from keito_server.services.paging import Page
from keito_server.services.users import UserFilters
from keito_server.web.deps import AdminActor, ManagerActor, SessionDep, redirect, render

router = APIRouter(prefix="/team")

ROLE_CHOICES = (("member", "Member"), ("manager", "Manager"), ("administrator", "Administrator"))
MAX_MEMBERS_SHOWN = 2000


def _rate(value: str, field: str) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        rate = Decimal(value)
    except InvalidOperation:
        raise ValidationError(
            f"{field.replace('_', ' ').capitalize()} must be a number such as 75.00.", field=field
        ) from None
    if not rate.is_finite() or rate < 0:
        raise ValidationError(f"{field.replace('_', ' ').capitalize()} must be 0 or more.", field=field)
    return rate


def _roles(role: str) -> list[str]:
    role = (role or "member").lower()
    return {"administrator": ["administrator", "manager", "member"], "manager": ["manager", "member"]}.get(
        role, ["member"]
    )


def _team_context(session: Any, actor: Actor) -> dict[str, Any]:
    people, _ = users.list_users(session, actor, UserFilters(), Page(limit=MAX_MEMBERS_SHOWN, with_total=False))
    people = sorted(people, key=lambda v: (v.user.user_type != "human", not v.user.is_active, v.user.name.lower()))
    key_counts: Counter[str] = Counter()
    if actor.is_admin:
        key_counts.update(k.user_id for k in api_keys.list_keys(session, actor) if k.revoked_at is None)
    return {
        "people": people,
        "pending": invites.pending_user_ids(session, actor),
        "key_counts": key_counts,
        "projects": timesheets.pickers(session, actor) if actor.is_admin else [],
        "role_choices": ROLE_CHOICES,
    }


@router.get("")
def team_page(request: Request, session: SessionDep, actor: ManagerActor) -> Response:
    return render(request, "team/index.html", _team_context(session, actor))


@router.post("/invite")
def invite(
    request: Request,
    session: SessionDep,
    actor: AdminActor,
    email: Annotated[str, Form()] = "",
    first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "member",
    default_hourly_rate: Annotated[str, Form()] = "",
    cost_rate: Annotated[str, Form()] = "",
) -> Response:
    try:
        user, token = invites.invite_person(
            session,
            actor,
            {
                "email": email,
                "first_name": first_name,
                "last_name": last_name.strip() or None,
                "roles": _roles(role),
                "default_hourly_rate": _rate(default_hourly_rate, "default_hourly_rate"),
                "cost_rate": _rate(cost_rate, "cost_rate"),
            },
        )
    except KeitoError as exc:
        session.rollback()
        return redirect("/team", request, error=exc.message)
    link = str(request.base_url).rstrip("/") + f"/invite/{token}"
    ctx = _team_context(session, actor)
    ctx["invited"] = {"user": user, "link": link}
    return render(request, "team/index.html", ctx, status=201)


@router.post("/agents")
def add_agent(
    request: Request,
    session: SessionDep,
    actor: AdminActor,
    name: Annotated[str, Form()] = "",
    default_hourly_rate: Annotated[str, Form()] = "",
    cost_rate: Annotated[str, Form()] = "",
    project_ids: Annotated[list[str] | None, Form()] = None,
    key_name: Annotated[str, Form()] = "",
) -> Response:
    try:
        agent = users.create_user(
            session,
            actor,
            {
                "user_type": "agent",
                "name": name.strip(),
                "default_hourly_rate": _rate(default_hourly_rate, "default_hourly_rate"),
                "cost_rate": _rate(cost_rate, "cost_rate"),
            },
        )
        for project_id in project_ids or []:
            projects.assign_user(session, actor, project_id, agent.id)
        key, token = api_keys.create_key(session, actor, user_id=agent.id, name=key_name.strip() or f"{agent.name} key")
    except KeitoError as exc:
        session.rollback()
        return redirect("/team", request, error=exc.message)
    ctx = _team_context(session, actor)
    ctx["new_key"] = {"user": agent, "key": key, "token": token}
    return render(request, "team/index.html", ctx, status=201)


def _member_context(session: Any, actor: Actor, user_id: str) -> dict[str, Any]:
    person = users.get_user(session, actor, user_id)
    ctx: dict[str, Any] = {
        "p": person,
        "keys": api_keys.list_keys(session, actor, user_id=user_id) if actor.is_admin else [],
        "role_choices": ROLE_CHOICES,
        "pending": user_id in invites.pending_user_ids(session, actor),
    }
    if actor.is_admin and person.user.is_manager and not person.user.is_admin:
        everyone = Page(limit=max(teammates.MAX_TEAMMATES, MAX_MEMBERS_SHOWN), with_total=False)
        chosen, _ = teammates.list_teammates(session, actor, user_id, everyone)
        others, _ = users.list_users(session, actor, UserFilters(is_active=True), everyone)
        ctx["permission_choices"] = list(permissions.MANAGER_PERMISSIONS.items())
        ctx["granted"] = permissions.effective(person.user.manager_permissions)
        ctx["teammate_ids"] = {u.id for u in chosen}
        ctx["teammate_choices"] = sorted(
            (v.user for v in others if v.user.id != user_id),
            key=lambda u: (u.user_type != "human", u.name.lower()),
        )
    return ctx


def _change_member(request: Request, session: Any, user_id: str, flash: str, change: Callable[[], Any]) -> Response:
    """Run one change from a member's page and go back to it, with the refusal's reason if any
    (nothing is kept of a refused change)."""
    try:
        change()
    except KeitoError as exc:
        session.rollback()
        return redirect(f"/team/{user_id}", request, error=exc.message)
    return redirect(f"/team/{user_id}", request, flash=flash)


@router.get("/{user_id}")
def member_page(request: Request, session: SessionDep, actor: ManagerActor, user_id: str) -> Response:
    return render(request, "team/member.html", _member_context(session, actor, user_id))


@router.post("/{user_id}/permissions")
def member_permissions(
    request: Request,
    session: SessionDep,
    actor: AdminActor,
    user_id: str,
    granted: Annotated[list[str] | None, Form()] = None,
) -> Response:
    chosen = set(granted or [])
    values = {k: k in chosen for k in permissions.MANAGER_PERMISSIONS}
    return _change_member(
        request,
        session,
        user_id,
        "Permissions saved.",
        lambda: users.update_user(session, actor, user_id, {"manager_permissions": values}),
    )


@router.post("/{user_id}/teammates")
def member_teammates(
    request: Request,
    session: SessionDep,
    actor: AdminActor,
    user_id: str,
    teammate_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    chosen = len(set(teammate_ids or []) - {user_id})
    flash = (
        f"Teammates saved: sees {chosen} {'person' if chosen == 1 else 'people'} and themselves."
        if chosen
        else "Teammates cleared: this manager sees the whole team."
    )
    return _change_member(
        request, session, user_id, flash, lambda: teammates.set_teammates(session, actor, user_id, teammate_ids or [])
    )


@router.post("/{user_id}")
def member_update(
    request: Request,
    session: SessionDep,
    actor: AdminActor,
    user_id: str,
    first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "member",
    default_hourly_rate: Annotated[str, Form()] = "",
    cost_rate: Annotated[str, Form()] = "",
    is_active: Annotated[str, Form()] = "",
) -> Response:

    def change() -> None:  # the rates are parsed inside, so a bad one comes back as the page's error
        fields = {
            "first_name": first_name,
            "last_name": last_name.strip() or None,
            "roles": _roles(role),
            "default_hourly_rate": _rate(default_hourly_rate, "default_hourly_rate"),
            "cost_rate": _rate(cost_rate, "cost_rate"),
            "is_active": bool(is_active),
        }
        users.update_user(session, actor, user_id, fields)

    return _change_member(request, session, user_id, "Saved.", change)


@router.post("/{user_id}/keys")
def member_key_create(
    request: Request, session: SessionDep, actor: AdminActor, user_id: str, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        key, token = api_keys.create_key(session, actor, user_id=user_id, name=name)
    except KeitoError as exc:
        return redirect(f"/team/{user_id}", request, error=exc.message)
    ctx = _member_context(session, actor, user_id)
    ctx["new_key"] = {"key": key, "token": token}
    return render(request, "team/member.html", ctx, status=201)

"""Sign up, log in, log out, pick a workspace, accept an invitation."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from keito_server.domain.errors import KeitoError, NotFound
from keito_server.services import auth, invites
from keito_server.web.deps import CurrentWebActor, SessionDep, WebSessionDep, redirect, render

router = APIRouter()

COMMON_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SEK", "NOK", "DKK", "NZD", "INR", "SGD")


def _safe_next(value: str | None) -> str:
    """Only same-site paths: never redirect off Keito after log-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/time"


@router.get("/login")
def login_page(request: Request, ws: WebSessionDep, next: str | None = None) -> Response:
    if ws.get("login_id") and ws.get("account_id"):
        return redirect(_safe_next(next))
    return render(request, "auth/login.html", {"next": _safe_next(next), "email": ""})


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    ws: WebSessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/time",
) -> Response:
    try:
        login = auth.log_in(session, email, password, request.client.host if request.client else None)
    except KeitoError as exc:
        return render(
            request, "auth/login.html", {"next": _safe_next(next), "email": email, "error": exc.message}, exc.status
        )
    ws.log_in(login.id, auth.default_account_id(session, login.id), auth.fingerprint(login))
    return redirect(_safe_next(next) if ws.get("account_id") else "/workspaces")


@router.post("/logout")
def logout(request: Request, ws: WebSessionDep) -> Response:
    ws.clear()
    return redirect("/login", request, flash="You are logged out.")


def _timezones() -> list[str]:
    return sorted(available_timezones() | {"UTC"})


@router.get("/signup")
def signup_page(request: Request) -> Response:
    return render(request, "auth/signup.html", {"form": {}, "currencies": COMMON_CURRENCIES, "timezones": _timezones()})


@router.post("/signup")
def signup_submit(
    request: Request,
    session: SessionDep,
    ws: WebSessionDep,
    company: Annotated[str, Form()] = "",
    first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "UTC",
    currency: Annotated[str, Form()] = "USD",
) -> Response:
    form = {
        "company": company,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "timezone": timezone,
        "currency": currency,
    }
    try:
        account, _admin, login = auth.sign_up(
            session,
            company=company,
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            timezone=timezone.strip() or "UTC",
            currency=currency.strip() or "USD",
        )
    except KeitoError as exc:
        session.rollback()
        ctx = {
            "form": form,
            "error": exc.message,
            "error_field": exc.field,
            "currencies": COMMON_CURRENCIES,
            "timezones": _timezones(),
        }
        return render(request, "auth/signup.html", ctx, exc.status)
    ws.log_in(login.id, account.id, auth.fingerprint(login))
    return redirect("/time", request, flash=f"Welcome to Keito. {account.name} is ready.")


@router.get("/workspaces")
def workspaces_page(request: Request, session: SessionDep, ws: WebSessionDep) -> Response:
    login_id = ws.get("login_id")
    if not login_id:
        return redirect("/login")
    choices = auth.workspaces(session, str(login_id))
    return render(request, "auth/workspaces.html", {"choices": choices, "current": ws.get("account_id")})


@router.post("/workspaces/switch")
def switch_workspace(
    request: Request, session: SessionDep, ws: WebSessionDep, account_id: Annotated[str, Form()] = ""
) -> Response:
    login_id = ws.get("login_id")
    if not login_id:
        return redirect("/login")
    if account_id not in {a.id for a, _u in auth.workspaces(session, str(login_id))}:
        raise NotFound("Workspace")
    ws["account_id"] = account_id
    return redirect("/time")


@router.get("/invite/{token}")
def invite_page(request: Request, session: SessionDep, token: str) -> Response:
    pending = invites.find_invite(session, token)
    return render(request, "auth/invite.html", {"pending": pending, "token": token})


@router.post("/invite/{token}")
def invite_accept(
    request: Request,
    session: SessionDep,
    ws: WebSessionDep,
    token: str,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        login, user = invites.accept_invite(session, token, password)
    except KeitoError as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        pending = invites.find_invite(session, token)
        return render(request, "auth/invite.html", {"pending": pending, "token": token, "error": exc.message}, 400)
    ws.log_in(login.id, user.account_id, auth.fingerprint(login))
    return redirect("/time", request, flash="Welcome aboard. Your login is ready.")


@router.get("/")
def home(actor: CurrentWebActor) -> Response:
    return redirect("/time")

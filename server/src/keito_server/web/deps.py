"""Named dependencies for pages: ``session: SessionDep, actor: CurrentWebActor``.

``CurrentWebActor`` is a ``services.context.Actor`` built from the signed session cookie (the
same Actor the API builds from a key), so pages call exactly the services the API calls. A
visitor without a session is redirected to /login; a member who opens a manager or
administrator page gets the 403 page (``ManagerActor`` / ``AdminActor``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy.orm import Session

from keito_server.db.engine import Database
from keito_server.domain.errors import PermissionDenied
from keito_server.services import auth
from keito_server.services.context import Actor
from keito_server.settings import Settings
from keito_server.web.csrf import csrf_field
from keito_server.web.sessions import WebSession, get_web_session

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


class LoginRequired(Exception):
    """Raised by ``CurrentWebActor`` when nobody is logged in; answered with a redirect."""

    def __init__(self, next_path: str, to: str = "/login") -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.to = to


def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:  # async: no thread hop for no I/O
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    session = get_db(request).session(write=write)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
WebSessionDep = Annotated[WebSession, Depends(get_web_session)]


def get_web_actor(request: Request, session: SessionDep) -> Actor:
    cached = getattr(request.state, "web_actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    ws = get_web_session(request)
    login_id = ws.get("login_id")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not login_id:
        raise LoginRequired(here)
    found = auth.actor_for_login(session, str(login_id), ws.get("account_id"), str(ws.get("pw", "")))
    if found is None:
        ws.clear()
        raise LoginRequired(here)
    if isinstance(found, list):  # several workspaces and none chosen yet
        raise LoginRequired(here, to="/workspaces")
    if ws.get("account_id") != found.account_id:
        ws["account_id"] = found.account_id
    request.state.web_actor = found
    return found


CurrentWebActor = Annotated[Actor, Depends(get_web_actor)]


def require_manager(actor: CurrentWebActor) -> Actor:
    if not actor.is_manager:
        raise PermissionDenied("Only managers and administrators can open this page.")
    return actor


def require_admin(actor: CurrentWebActor) -> Actor:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can open this page.")
    return actor


ManagerActor = Annotated[Actor, Depends(require_manager)]
AdminActor = Annotated[Actor, Depends(require_admin)]


# ── rendering ──────────────────────────────────────────────────────────────────────────


def format_hours(value: Decimal | float | int | None) -> str:
    """Decimal hours as H:MM (``1.5`` -> ``1:30``)."""
    if value is None:
        return "0:00"
    minutes = int((Decimal(value) * 60).to_integral_value())
    return f"{minutes // 60}:{minutes % 60:02d}"


def format_money(value: Decimal | None, currency: str = "") -> str:
    if value is None:
        return "—"
    amount = Decimal(value)
    cents = amount.quantize(Decimal("0.01"))
    # Whole cents as 1.10; finer amounts (per-token LLM costs) keep their digits, up to six.
    shown = cents if cents == amount else amount.quantize(Decimal("0.000001")).normalize()
    return f"{shown:,} {currency}".strip()


def format_when(value: datetime | None) -> str:
    if value is None:
        return "never"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%d %b %Y, %H:%M")


SOURCE_LABELS = {
    "agent": "Agent",
    "cli": "CLI",
    "api": "API",
    "web": "Web",
    "calendar": "Calendar",
    "desktop": "Desktop",
}


# Built once: the Day view renders one per entry.
_BADGES = {
    src: Markup(f'<span class="badge badge-{src}" title="Source: {label}">{label}</span>')
    for src, label in SOURCE_LABELS.items()
    if src != "web"
}
_NO_BADGE = Markup("")


def source_badge(source: str | None) -> Markup:
    """The badge for an entry's or expense's source: violet Agent, amber CLI, quiet others."""
    return _BADGES.get((source or "").lower(), _NO_BADGE)


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.autoescape = True

    @pass_context
    def _csrf(ctx: dict[str, Any]) -> Markup:
        return csrf_field(ctx["request"])

    env.globals["csrf_field"] = _csrf
    env.globals["source_badge"] = source_badge
    env.globals["SOURCE_LABELS"] = SOURCE_LABELS
    env.filters["hours"] = format_hours
    env.filters["money"] = format_money
    env.filters["when"] = format_when
    return templates


def render(request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    """Render a page with what every layout needs: the actor (when known), flash, CSRF token."""
    ws = get_web_session(request)
    ctx: dict[str, Any] = {
        "actor": getattr(request.state, "web_actor", None),
        "flash": ws.take_flash() if not request.headers.get("hx-request") else None,
        "csrf_token": ws.csrf_token,
        "path": request.url.path,
    }
    ctx.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, ctx, status_code=status)


def redirect(
    url: str, request: Request | None = None, *, flash: str | None = None, error: str | None = None
) -> Response:
    """A 303 after a form POST (so reload does not resubmit), with an optional flash message."""
    if request is not None and (flash or error):
        get_web_session(request).flash(error or flash or "", "error" if error else "ok")
    if request is not None and request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def login_redirect(exc: LoginRequired) -> Response:
    target = exc.to
    if exc.next_path and exc.next_path not in ("/", "/login"):
        target += "?next=" + quote(exc.next_path, safe="/")
    return RedirectResponse(target, status_code=303)

"""Signed session cookies for the web app.

The cookie holds a small JSON dict signed with ``settings.secret_key`` (itsdangerous, with a
timestamp): the login id, the chosen workspace, the CSRF token, a password fingerprint and at
most one flash message. Nothing secret is in it and nothing is kept in process memory, so any
server process can serve any request. The middleware below loads it into
``request.state.web_session`` and writes it back only when a page changed it.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "keito_session"
# A session lasts two weeks after the last page that touched it (sliding on every write).
MAX_AGE_SECONDS = 14 * 24 * 3600
_SALT = "keito.web.session"
API_PREFIXES = ("/api/", "/v1/", "/static/", "/healthz", "/openapi", "/docs")


class WebSession(dict[str, Any]):
    """A dict that knows whether a page changed it."""

    modified: bool = False

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.modified = True

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.modified = True

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.modified = True
        return super().pop(key, *default)

    def clear(self) -> None:
        super().clear()
        self.modified = True

    @property
    def csrf_token(self) -> str:
        token = self.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            self["csrf"] = token
        return str(token)

    def flash(self, message: str, kind: str = "ok") -> None:
        self["flash"] = {"message": message, "kind": kind}

    def take_flash(self) -> dict[str, str] | None:
        value = self.pop("flash", None)
        return value if isinstance(value, dict) else None

    def log_in(self, login_id: str, account_id: str | None, fingerprint: str) -> None:
        """A fresh session on every log-in, so a token planted before it is worthless."""
        self.clear()
        self["login_id"] = login_id
        self["pw"] = fingerprint
        if account_id:
            self["account_id"] = account_id
        self["csrf"] = secrets.token_urlsafe(32)


def get_web_session(request: Request) -> WebSession:
    ws = getattr(request.state, "web_session", None)
    if ws is None:  # a request the middleware did not see (should not happen for pages)
        ws = WebSession()
        request.state.web_session = ws
    assert isinstance(ws, WebSession)
    return ws


class SessionMiddleware:
    """Pure-ASGI: load the signed cookie for page requests; set it again when it changed."""

    def __init__(self, app: ASGIApp, *, secret_key: str, secure: bool) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        session = WebSession(self._load(scope))
        session.modified = False
        scope.setdefault("state", {})["web_session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.modified:
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", self._cookie(session).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _load(self, scope: Scope) -> dict[str, Any]:
        raw = b""
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                raw = value
                break
        if not raw:
            return {}
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(raw.decode("latin-1"))
        except Exception:
            return {}
        morsel = cookie.get(COOKIE_NAME)
        if morsel is None:
            return {}
        try:
            data = self.serializer.loads(morsel.value, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def _cookie(self, session: WebSession) -> str:
        if not session:
            return f"{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + ("; Secure" if self.secure else "")
        value = self.serializer.dumps(dict(session))
        parts = [f"{COOKIE_NAME}={value}", "Path=/", f"Max-Age={MAX_AGE_SECONDS}", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)

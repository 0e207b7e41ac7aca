"""The web app: server-rendered pages (Jinja2 + htmx) over the same services as the API.

Nothing here imports ``keito_server.api``: the error renderer is handed to it through
``app.state.render_error_page``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from keito_server.settings import Settings


def mount(app: FastAPI, settings: Settings) -> None:
    """Register pages, static files, the session cookie and the page error renderer on ``app``."""
    from keito_server.web.deps import STATIC_DIR, LoginRequired, build_templates, login_redirect, render
    from keito_server.web.pages import register
    from keito_server.web.sessions import SessionMiddleware

    app.state.templates = build_templates()
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    register(app)
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, secure=settings.secure_cookies)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return login_redirect(exc)

    def render_error_page(request: Request, status: int, message: str) -> Response:
        titles = {403: "Not allowed", 404: "Not found", 429: "Slow down", 500: "Something went wrong"}
        return render(
            request,
            "error.html",
            {"status": status, "title": titles.get(status, "That did not work"), "message": message},
            status=status,
        )

    app.state.render_error_page = render_error_page

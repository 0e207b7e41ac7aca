"""Fixtures for the web app's tests.

``WebClient`` is an httpx client that behaves like a browser session: it keeps the cookie and
sends back the CSRF token from the last page it loaded. Browser tests (marked ``browser``)
drive Debian's /usr/bin/chromium through Playwright against a real server process; they run
on SQLite only, to keep CI time down (the same pages are covered on both databases by the
httpx page tests).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live import LiveServer, Workspace

PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebClient:
    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=30, follow_redirects=True)
        self.csrf = ""

    def _remember(self, r: httpx.Response) -> httpx.Response:
        m = _CSRF.search(r.text) if "text/html" in r.headers.get("content-type", "") else None
        if m:
            self.csrf = m.group(1)
        return r

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self._remember(self.http.get(path, **kw))

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any) -> httpx.Response:
        if csrf and not self.csrf:
            self.get("/login")
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.csrf)
        return self._remember(self.http.post(path, data=body, **kw))

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        self.get("/login")
        return self.post("/login", {"email": email, "password": password})

    def close(self) -> None:
        self.http.close()


def admin_email(ws: Workspace) -> str:
    from keito_server.db.models import User

    return str(ws.run(lambda s, actor: s.get(User, ws.admin_id).email))


def user_email(ws: Workspace, user_id: str) -> str:
    from keito_server.db.models import User

    return str(ws.run(lambda s, actor: s.get(User, user_id).email))


@pytest.fixture
def web(server: LiveServer) -> Iterator[WebClient]:
    client = WebClient(server)
    yield client
    client.close()


@pytest.fixture
def admin_web(ws: Workspace) -> Iterator[WebClient]:
    client = WebClient(ws.server)
    r = client.login(admin_email(ws))
    assert r.status_code == 200 and "/time/day/" in str(r.url), r.text[:500]
    yield client
    client.close()


# ── browser ────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="session")
def browser_server() -> Iterator[LiveServer]:
    """Browser tests run against SQLite only (CI time); page tests cover both databases."""
    live = LiveServer(backend="sqlite").start()
    yield live
    live.cleanup()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: sync Playwright keeps an asyncio loop running on the main
    # thread until it is stopped, and a later test in the same worker (the async SDK tests)
    # calling asyncio.run() would find it and fail.
    if not os.path.exists(CHROMIUM):
        pytest.skip("no /usr/bin/chromium: run scripts/setup-browser.sh")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) and shutil.which(CHROMIUM) is not None

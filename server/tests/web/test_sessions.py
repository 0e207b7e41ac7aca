"""Session cookies in-process: flags, tampering, and the CSRF check on every page router."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from keito_server.web.pages import page_routers

from server.tests.web.inprocess import PASSWORD, build


def test_cookie_flags_tampering_and_logout() -> None:
    app = build()
    day_page = app.client.get("/time")
    assert day_page.status_code == 200 and "Bench Co" in day_page.text
    cookie = app.client.cookies.get("keito_session")
    assert cookie
    # A cookie signed with another key, or edited, is no session at all.
    fresh = TestClient(app.client.app, follow_redirects=False)
    fresh.cookies.set("keito_session", cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    r = fresh.get("/time")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', day_page.text).group(1)  # type: ignore[union-attr]
    out = app.client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert app.client.get("/time", follow_redirects=False).status_code == 303


def test_secure_cookies_when_configured() -> None:
    app = build(secure_cookies=True)
    login = TestClient(app.client.app, base_url="https://testserver")
    page = login.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = login.post(
        "/login",
        data={"email": "bench@example.com", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    flags = answer.headers["set-cookie"]
    assert "Secure" in flags and "HttpOnly" in flags and "SameSite=Lax" in flags
    plain = build()
    assert "Secure" not in TestClient(plain.client.app).get("/login").headers["set-cookie"]


def test_every_page_router_is_csrf_protected() -> None:
    app = build()
    unsafe = [
        route.path
        for router in page_routers()
        for route in router.routes
        if getattr(route, "methods", set()) & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(unsafe) > 15
    refused = [p for p in unsafe if app.client.post(p.replace("{", "").replace("}", ""), data={}).status_code != 403]
    assert refused == []

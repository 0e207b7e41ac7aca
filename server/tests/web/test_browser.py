"""Browser tests: Debian's Chromium through Playwright against a real server process (SQLite
only, see conftest). They also take the README's screenshots: set KEITO_UPDATE_SCREENSHOTS=1
to write them to docs/screenshots/ (otherwise they go to a temporary directory)."""

from __future__ import annotations

import colorsys
import os
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.tests.web.conftest import PASSWORD, user_email
from tests.support.live import LiveServer, Workspace, make_workspace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
VIOLET = "rgb(124, 58, 237)"
AMBER = "rgb(245, 158, 11)"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    if os.environ.get("KEITO_UPDATE_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path


@pytest.fixture
def bws(browser_server: LiveServer) -> Workspace:
    return make_workspace(browser_server)


def _snap(page: Any, path: Path, name: str) -> None:
    """The same page at desktop and at phone width, full length."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        page.screenshot(path=str(path / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _login(page: Any, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/time/day/.*"))


def _hue(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def test_sign_up_set_up_track_time_and_see_agent_work(page: Any, browser_server: LiveServer, shots: Path) -> None:
    server = browser_server
    email = f"owner.{uuid.uuid4().hex[:6]}@studio.example"
    # 1. Sign up: a workspace and its administrator.
    page.goto(f"{server.url}/signup")
    page.get_by_label("Company name").fill("Northwind Studio")
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill("a very long secret")
    page.get_by_label("Timezone").fill("UTC")
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url(re.compile(r".*/time/day/.*"))
    assert page.get_by_text("Northwind Studio is ready").is_visible()

    # 2. A personal API key from Settings -> API & Developers (shown once).
    page.goto(f"{server.url}/settings/api")
    page.get_by_label("Key name").fill("Set-up script")
    page.get_by_role("button", name="Create key").click()
    token = page.get_by_test_id("new-api-key").inner_text().strip()
    account_id = page.get_by_test_id("company-id").inner_text().strip()
    assert token.startswith("kto_") and account_id

    # 3. Client, project and task. The Manage pages are another engineer's; this test creates
    #    them through the API with the administrator's key, exactly as a set-up script would.
    api = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}", "Keito-Account-Id": account_id}, timeout=30
    )
    client = api.post("/api/v2/clients", json={"name": "Contoso"}).json()
    project = api.post(
        "/api/v2/projects",
        json={
            "client_id": client["id"],
            "name": "Mobile App",
            "is_billable": True,
            "bill_by": "Project",
            "budget_by": "none",
        },
    )
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    task = api.post("/api/v2/tasks", json={"name": "Research"}).json()
    assert api.post(f"/api/v2/projects/{project_id}/task_assignments", json={"task_id": task["id"]}).status_code == 201

    # 4. Start a timer in the Day view, watch it tick, reload, stop it.
    page.goto(f"{server.url}/time")
    page.get_by_label("Project").first.select_option(label="Contoso · Mobile App")
    page.wait_for_timeout(300)  # the task list follows the project (htmx)
    page.locator("#timer-task").select_option(label="Research")
    page.get_by_label("Notes").first.fill("User interviews synthesis")
    page.get_by_role("button", name="Start timer").click()
    clock = page.locator(".running-banner .clock")
    clock.wait_for()
    first = clock.inner_text()
    page.wait_for_timeout(2200)
    assert clock.inner_text() != first  # ticking in the browser
    page.reload()
    assert page.locator(".running-banner").is_visible()  # the timer survives a reload
    assert re.match(r"0:00:0[1-9]", page.locator(".running-banner .clock").inner_text())
    page.get_by_role("button", name="Stop timer").click()
    page.wait_for_selector(".running-banner", state="detached")
    row = page.locator(".entry", has_text="User interviews synthesis")
    assert row.is_visible() and "Research" in row.inner_text()

    # 5. An agent's running timer and a CLI entry, sent through the API, appear without a reload.
    today = date.today().isoformat()
    agent = api.post(
        "/v1/time-entries",
        json={
            "project_id": project_id,
            "task_id": task["id"],
            "spent_date": today,
            "is_running": True,
            "source": "agent",
            "notes": "Refactor onboarding flow",
            "metadata": {"agent_id": "claude-code", "model": "claude-sonnet-4", "session_id": "sess-browser-1"},
        },
    )
    assert agent.status_code == 201, agent.text
    cli = api.post(
        "/v1/time-entries",
        json={
            "project_id": project_id,
            "task_id": task["id"],
            "spent_date": today,
            "hours": 0.75,
            "source": "cli",
            "notes": "Release notes",
        },
    )
    assert cli.status_code == 201, cli.text
    badge = page.locator(".entry .badge-agent").first
    badge.wait_for(timeout=12_000)  # htmx polls every few seconds
    colour = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == VIOLET and 255 < _hue(colour) < 290  # violet
    cli_colour = page.locator(".entry .badge-cli").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert cli_colour == AMBER and 30 < _hue(cli_colour) < 50  # amber
    assert page.locator(".running-banner").is_visible()  # the agent timer runs for this key's user
    api.post(
        "/v1/time-entries",
        json={
            "project_id": project_id,
            "task_id": task["id"],
            "spent_date": today,
            "hours": 1.5,
            "source": "web",
            "notes": "Design review with the client",
        },
    )
    page.reload()
    _snap(page, shots, "day-view")

    # 6. Entry detail shows the agent's metadata.
    page.locator(".entry", has_text="Refactor onboarding flow").locator("a.project").click()
    assert page.get_by_text("claude-sonnet-4", exact=True).is_visible()
    assert page.locator("dd", has_text="sess-browser-1").is_visible()

    # 7. The Week grid, with a few more days of work by people and agents.
    monday = date.today() - timedelta(days=date.today().weekday())
    tasks = {t["name"]: t["id"] for t in api.get("/api/v2/tasks").json()["tasks"]}
    week = [
        (0, 3.5, "web", "Design", "Sprint planning"),
        (1, 2.25, "agent", "Code Review", "Automated test triage"),
        (1, 4, "web", "Development", "Prototype checkout"),
        (2, 1, "cli", "Development", "Deploy staging"),
        (3, 5.5, "web", "Design", "Usability testing"),
        (4, 1.75, "agent", "Development", "Dependency upgrades"),
        (4, 2, "agent", "Code Review", "Review open pull requests"),
    ]
    for offset, hours, source, task_name, notes in week:
        r = api.post(
            "/v1/time-entries",
            json={
                "project_id": project_id,
                "task_id": tasks[task_name],
                "spent_date": (monday + timedelta(days=offset)).isoformat(),
                "hours": hours,
                "source": source,
                "notes": notes,
            },
        )
        assert r.status_code == 201, r.text
    page.goto(f"{server.url}/time/week")
    assert page.get_by_test_id("week-total").is_visible()
    _snap(page, shots, "week-view")

    # 8. An agent user with its own key, then Settings -> API & Developers.
    page.goto(f"{server.url}/team")
    page.get_by_label("Agent name").fill("review-bot-01")
    page.locator("#agent-rate").fill("45")
    page.locator("input[name=project_ids]").first.check()
    page.get_by_label("API key name").fill("review-bot production")
    page.get_by_role("button", name="Add agent and create key").click()
    assert page.get_by_test_id("new-api-key").inner_text().startswith("kto_")
    page.goto(f"{server.url}/settings/api")
    assert page.get_by_text("review-bot production").is_visible()
    _snap(page, shots, "settings-api")
    api.close()


def test_admin_adds_agent_user_and_its_key_works(page: Any, bws: Workspace) -> None:
    from server.tests.web.conftest import admin_email

    _login(page, bws.server, admin_email(bws))
    page.goto(f"{bws.server.url}/team")
    page.get_by_label("Agent name").fill("triage-bot")
    page.locator("#agent-rate").fill("60")
    page.locator("input[name=project_ids]").first.check()
    page.get_by_label("API key name").fill("triage prod")
    page.get_by_role("button", name="Add agent and create key").click()
    token = page.get_by_test_id("new-api-key").inner_text().strip()
    me = httpx.get(f"{bws.server.url}/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["user_type"] == "agent"
    page.reload()  # a reload re-posts nothing and never shows the key again
    assert token not in page.content()


def test_member_cannot_open_admin_pages(page: Any, bws: Workspace) -> None:
    member_id, _ = bws.add_user("Mo Member")
    _login(page, bws.server, user_email(bws, member_id))
    assert page.locator("nav.mainnav a", has_text="Team").count() == 0
    for path in ("/team", "/settings/company"):
        response = page.goto(f"{bws.server.url}{path}")
        assert response.status == 403
        assert page.get_by_role("heading", name="Not allowed").is_visible()


def test_script_in_notes_renders_as_text(page: Any, bws: Workspace) -> None:
    from server.tests.web.conftest import admin_email

    note = "<script>window.__pwned = 1</script><b>bold?</b>"
    r = bws.api(dialect="v1").post(
        "/v1/time-entries",
        json={
            "project_id": bws.project_id,
            "task_id": bws.task_id,
            "spent_date": date.today().isoformat(),
            "hours": 1,
            "notes": note,
        },
    )
    assert r.status_code == 201
    _login(page, bws.server, admin_email(bws))
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".entry .notes").inner_text() == note
    assert page.locator(".entry .notes b").count() == 0


def test_form_without_csrf_token_is_refused(page: Any, bws: Workspace) -> None:
    from server.tests.web.conftest import admin_email

    _login(page, bws.server, admin_email(bws))
    if not page.locator("#manual-hours").is_visible():
        page.get_by_text("Add time without a timer").click()
    page.evaluate(
        "document.querySelectorAll('form[action=\"/time/entries\"] input[name=csrf_token]').forEach(e => e.remove())"
    )
    page.locator("#manual-hours").fill("2")
    with page.expect_response(lambda r: r.url.endswith("/time/entries")) as info:
        page.get_by_role("button", name="Save entry").click()
    assert info.value.status == 403
    assert page.get_by_text("did not come from Keito").is_visible()
    assert bws.api().get("time_entries").json()["time_entries"] == []


def test_set_up_through_the_manage_pages_then_track_time(page: Any, browser_server: LiveServer) -> None:
    """The same start as above, with client, task and project made through the Manage and
    Projects pages (the second web engineer's) instead of the API."""
    server = browser_server
    page.goto(f"{server.url}/signup")
    page.get_by_label("Company name").fill("Page Built Co")
    page.get_by_label("First name").fill("Pat")
    page.get_by_label("Work email").fill(f"pat.{uuid.uuid4().hex[:6]}@example.com")
    page.get_by_label("Password").fill("a very long secret")
    page.get_by_label("Timezone").fill("UTC")
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url(re.compile(r".*/time/day/.*"))

    page.goto(f"{server.url}/manage/clients/new")
    page.locator("#f-name").fill("Initech")
    page.get_by_role("button", name="Create client").click()
    page.goto(f"{server.url}/manage/tasks")
    page.locator("#f-name").fill("Discovery")
    page.get_by_label("Default task (add to every new project)").check()
    page.get_by_role("button", name="Create task").click()
    page.goto(f"{server.url}/projects/new")
    page.get_by_label("Client").select_option(label="Initech")
    page.get_by_label("Project name").fill("TPS Reports")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r".*/projects/prj_.*"))

    page.goto(f"{server.url}/time")
    page.locator("#timer-project").select_option(label="Initech · TPS Reports")
    page.wait_for_timeout(300)
    page.locator("#timer-task").select_option(label="Discovery")
    page.locator("#timer-notes").fill("Cover sheets")
    page.get_by_role("button", name="Start timer").click()
    page.locator(".running-banner").wait_for()
    page.wait_for_timeout(1200)
    page.get_by_role("button", name="Stop timer").click()
    page.wait_for_selector(".running-banner", state="detached")
    row = page.locator(".entry", has_text="Cover sheets")
    assert row.is_visible() and "Discovery" in row.inner_text() and "TPS Reports" in row.inner_text()

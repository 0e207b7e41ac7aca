"""Reports pages over HTTP against a real server: logged in through the login form (real
session cookie, real CSRF token), data written through the API, numbers checked exactly."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from keito_server.services import clients, projects
from keito_server.web.pages.reports import exact, preset_range

from tests.support.live import LiveServer, Workspace, make_workspace

PASSWORD = "correct horse battery staple"
DAY = "2026-03-10"  # a Tuesday
RANGE = {"preset": "custom", "from": "2026-03-01", "to": "2026-03-31"}


def admin_email(ws: Workspace) -> str:
    from keito_server.db.models import User

    return str(ws.run(lambda s, a: s.get(User, ws.admin_id).email))


def web_login(server: LiveServer, email: str, password: str = PASSWORD) -> httpx.Client:
    """A browser-like client logged in through /login with the form's CSRF token."""
    client = httpx.Client(base_url=server.url, timeout=30, follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the login form carries a CSRF token"
    r = client.post("/login", data={"email": email, "password": password, "csrf_token": token.group(1)})
    assert r.status_code == 303, r.text[:300]
    return client


def seed(ws: Workspace) -> dict[str, Any]:
    """Two projects; a human's 2.5 h and 1.25 h non-billable; an agent's 1.5 h with an LLM cost."""
    agent_id, agent_key = ws.add_user("review-bot-01", user_type="agent")
    api = ws.api()
    for body in (
        {"hours": 2.5, "notes": "Backend <b>work</b>"},
        {"hours": 1.25, "billable": False, "task_id": ws.other_task_id},
    ):
        r = api.post("time_entries", {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": DAY, **body})
        assert r.status_code == 201, r.text
    agent = ws.api(agent_key)
    r = agent.post(
        "time_entries",
        {
            "project_id": ws.project_id,
            "task_id": ws.other_task_id,
            "spent_date": DAY,
            "hours": 1.5,
            "source": "agent",
            "metadata": {"agent_id": "review-bot-01", "model": "claude-sonnet-4-5"},
        },
    )
    assert r.status_code == 201, r.text
    r = agent.post(
        "expenses",
        {
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": DAY,
            "total_cost": 0.123456,
            "source": "agent",
            "metadata": {"agent_id": "review-bot-01", "model": "claude-sonnet-4-5"},
        },
    )
    assert r.status_code == 201, r.text
    return {"agent_id": agent_id}


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# ── pure rules ─────────────────────────────────────────────────────────────────────────


def test_presets_follow_the_week_start_and_the_calendar() -> None:
    wed = date(2026, 1, 14)
    assert preset_range("this_week", wed, "monday") == (date(2026, 1, 12), date(2026, 1, 18))
    assert preset_range("this_week", wed, "sunday") == (date(2026, 1, 11), date(2026, 1, 17))
    assert preset_range("last_week", wed, "monday") == (date(2026, 1, 5), date(2026, 1, 11))
    assert preset_range("this_month", wed, "monday") == (date(2026, 1, 1), date(2026, 1, 31))
    assert preset_range("last_month", wed, "monday") == (date(2025, 12, 1), date(2025, 12, 31))
    assert preset_range("this_quarter", date(2026, 5, 31), "monday") == (date(2026, 4, 1), date(2026, 6, 30))
    assert preset_range("last_month", date(2024, 3, 31), "monday") == (date(2024, 2, 1), date(2024, 2, 29))


def test_exact_numbers_never_lose_digits_or_use_exponents() -> None:
    assert exact(Decimal("1.5")) == "1.50"
    assert exact(Decimal("0.000123")) == "0.000123"
    assert exact(Decimal("1E+3")) == "1000.00"
    assert exact(Decimal("375.000000")) == "375.00"


# ── pages ──────────────────────────────────────────────────────────────────────────────


def test_reports_need_a_login(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/reports", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = httpx.get(f"{server.url}/reports/time-by-client.csv", follow_redirects=False)
    assert r.status_code == 303


def test_every_report_renders_with_real_data(server: LiveServer, ws: Workspace) -> None:
    seed(ws)
    web = web_login(server, admin_email(ws))
    for slug in (
        "time-by-client",
        "time-by-project",
        "time-by-task",
        "time-by-person",
        "agents-vs-humans",
        "llm-by-project",
        "llm-by-model",
        "llm-by-agent",
        "expenses-by-category",
        "expenses-by-project",
    ):
        r = web.get(f"/reports/{slug}", params=RANGE)
        assert r.status_code == 200, (slug, r.text[:500])
        assert 'class="barchart"' in r.text, slug
        assert f'href="/reports/{slug}.csv?' in r.text, slug
    page = web.get("/reports/time-by-project", params=RANGE).text
    assert "Acme Website" in page and "5:15" in page  # 2.5 + 1.25 + 1.5 hours
    assert "Download CSV" in page
    agents = web.get("/reports/agents-vs-humans", params=RANGE).text
    assert "Agents" in agents and "Humans" in agents and "badge-agent" in agents
    by_category = web.get("/reports/expenses-by-category", params=RANGE).text
    assert "LLM Usage" in by_category and "No time" not in by_category
    csv = web.get("/reports/expenses-by-category.csv", params=RANGE)
    assert csv.status_code == 200 and "LLM Usage" in csv.text


def test_time_by_task_csv_is_exact(server: LiveServer, ws: Workspace) -> None:
    seed(ws)
    web = web_login(server, admin_email(ws))
    r = web.get("/reports/time-by-task.csv", params=RANGE)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == (
        'attachment; filename="keito-time-by-task-2026-03-01-to-2026-03-31.csv"'
    )
    # Development: 2.5 h billable at 150; Code Review: 1.25 h non-billable + the agent's 1.5 h at
    # 150 (the project rate); the LLM expense has no task.
    assert read_csv(r.text) == [
        ["Task", "Hours", "Billable hours", "Billable amount (USD)", "Cost (USD)"],
        ["Code Review", "2.75", "1.50", "225.00", "0.00"],
        ["Development", "2.50", "2.50", "375.00", "0.00"],
        ["(expenses)", "0.00", "0.00", "0.00", "0.00"],
        ["Total", "5.25", "4.00", "600.00", "0.00"],
    ]


def test_llm_and_agent_reports_carry_exact_micro_amounts(server: LiveServer, ws: Workspace) -> None:
    seed(ws)
    web = web_login(server, admin_email(ws))
    rows = read_csv(web.get("/reports/llm-by-model.csv", params=RANGE).text)
    assert rows == [
        ["Model", "LLM spend (USD)", "Hours", "Entries"],
        ["claude-sonnet-4-5", "0.123456", "1.50", "2"],
        ["Total", "0.123456", "1.50", "2"],
    ]
    rows = read_csv(web.get("/reports/agents-vs-humans.csv", params=RANGE).text)
    assert rows[0] == ["Worker type", "Hours", "Billable hours", "Billable amount (USD)", "LLM spend (USD)"]
    assert rows[1:] == [
        ["Humans", "3.75", "2.50", "375.00", "0.00"],
        ["Agents", "1.50", "1.50", "225.00", "0.123456"],
        ["Total", "5.25", "4.00", "600.00", "0.123456"],
    ]


def test_source_filter_narrows_the_report(server: LiveServer, ws: Workspace) -> None:
    seed(ws)
    web = web_login(server, admin_email(ws))
    rows = read_csv(web.get("/reports/time-by-person.csv", params={**RANGE, "source": "agent"}).text)
    assert [r[0] for r in rows[1:]] == ["review-bot-01", "Total"]
    assert rows[1][1] == "1.50"
    page = web.get("/reports/time-by-person", params={**RANGE, "source": "agent"}).text
    assert "Agent only" in page


def test_bad_custom_range_is_shown_inline(server: LiveServer, ws: Workspace) -> None:
    web = web_login(server, admin_email(ws))
    r = web.get("/reports/time-by-client", params={"preset": "custom", "from": "2026-03-31", "to": "2026-03-01"})
    assert r.status_code == 400
    assert 'role="alert"' in r.text and "to cannot be before from" in r.text
    assert 'aria-invalid="true"' in r.text
    r = web.get("/reports/time-by-client", params={"preset": "custom", "from": "2024-01-01", "to": "2026-01-01"})
    assert r.status_code == 400 and "at most 365 days" in r.text
    r = web.get("/reports/time-by-client.csv", params={"preset": "custom", "from": "nonsense"})
    assert r.status_code == 400
    assert web.get("/reports/no-such-report").status_code == 404


def test_members_see_only_their_own_work(server: LiveServer, ws: Workspace) -> None:
    seed(ws)
    email = "member.reports@example.com"
    ws.add_user("Molly Member", email=email)
    web = web_login(server, email)
    page = web.get("/reports/time-by-person", params=RANGE)
    assert page.status_code == 200
    assert "review-bot-01" not in page.text and "You see your own work only" in page.text
    rows = read_csv(web.get("/reports/time-by-person.csv", params=RANGE).text)
    assert rows[1:] == [["Total", "0.00", "0.00", "0.00", "0.00"]]


def test_user_text_is_escaped(server: LiveServer, ws: Workspace) -> None:
    from keito_server.services import clients, projects

    def evil(s: Any, a: Any) -> None:
        c = clients.create_client(s, a, {"name": "<script>alert(1)</script>"})
        projects.create_project(s, a, {"client_id": c.id, "name": "<img src=x onerror=alert(2)>", "hourly_rate": 10})

    ws.run(evil)
    web = web_login(server, admin_email(ws))
    page = web.get("/reports/time-by-client", params=RANGE).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


@pytest.mark.parametrize("preset", ["this_week", "last_week", "this_month", "last_month", "this_quarter"])
def test_presets_render(server: LiveServer, ws: Workspace, preset: str) -> None:
    web = web_login(server, admin_email(ws))
    r = web.get("/reports/time-by-client", params={"preset": preset})
    assert r.status_code == 200
    assert 'aria-current="true"' in r.text


# ── browser ────────────────────────────────────────────────────────────────────────────

ROOT = Path(__file__).resolve().parents[3]


def _shots_dir(tmp_path: Path) -> Path:
    """docs/screenshots/ when KEITO_UPDATE_SCREENSHOTS=1 (as the other browser tests), else a temp dir."""
    if os.environ.get("KEITO_UPDATE_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path


def _month_of_work(ws: Workspace) -> None:
    """This month: two humans and two agents on three projects, with LLM costs."""
    today = date.today()
    days = sorted({today - timedelta(days=k) for k in range(0, 12) if (today - timedelta(days=k)).month == today.month})

    def more(s: Any, a: Any) -> list[str]:
        globex = clients.create_client(s, a, {"name": "Globex Labs"})
        p2 = projects.create_project(s, a, {"client_id": globex.id, "name": "Data Platform", "hourly_rate": 120})
        p3 = projects.create_project(s, a, {"client_id": ws.client_id, "name": "Mobile App", "hourly_rate": 140})
        return [p2.id, p3.id]

    p2, p3 = ws.run(more)
    people = [
        ws.add_user(n, **kw)
        for n, kw in (
            ("Sarah Chen", {}),
            ("review-bot-01", {"user_type": "agent"}),
            ("triage-agent", {"user_type": "agent"}),
        )
    ]
    for pid in (p2, p3):
        for uid, _ in people:
            ws.run(lambda s, a, pid=pid, uid=uid: projects.assign_user(s, a, pid, uid))
    admin = ws.api()
    (_, sarah), (_, bot), (_, triage) = people
    for i, d in enumerate(days):
        spent = d.isoformat()
        for key, project, hours, extra in (
            (None, ws.project_id, 3.5, {}),
            (sarah, p3, 2.0 + (i % 3) * 0.75, {"billable": i % 4 != 0}),
            (
                bot,
                p2,
                1.25,
                {"source": "agent", "metadata": {"agent_id": "review-bot-01", "model": "claude-sonnet-4-5"}},
            ),
            (
                triage,
                ws.project_id,
                0.5,
                {"source": "agent", "metadata": {"agent_id": "triage-agent", "model": "gpt-4o"}},
            ),
        ):
            api = ws.api(key) if key else admin
            r = api.post(
                "time_entries",
                {"project_id": project, "task_id": ws.task_id, "spent_date": spent, "hours": hours, **extra},
            )
            assert r.status_code == 201, r.text
        for key, project, model, tokens in (
            (bot, p2, "claude-sonnet-4-5", 150_000),
            (triage, ws.project_id, "gpt-4o", 40_000),
        ):
            r = ws.api(key).post(
                "expenses",
                {
                    "project_id": project,
                    "expense_category_id": "cat_llm_usage",
                    "spent_date": spent,
                    "source": "agent",
                    "metadata": {
                        "model": model,
                        "input_tokens": tokens,
                        "output_tokens": tokens // 10,
                        "agent_id": "review-bot-01" if key == bot else "triage-agent",
                    },
                },
            )
            assert r.status_code == 201, r.text


@pytest.mark.browser
def test_reports_in_a_browser_with_screenshots(page: Any, browser_server: LiveServer, tmp_path: Path) -> None:
    ws = make_workspace(browser_server, name="Northwind Studio")
    _month_of_work(ws)
    page.goto(f"{browser_server.url}/login")
    page.get_by_label("Email").fill(admin_email(ws))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/time/day/.*"))

    page.goto(f"{browser_server.url}/reports")
    assert page.get_by_role("heading", name="Time by project", level=1).is_visible()
    assert page.locator(".bar-row").count() == 3
    # Keyboard: the period presets and report tabs are links reached with Tab.
    page.get_by_role("link", name="This week").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*preset=this_week.*"))
    page.get_by_role("link", name="This month").click()
    page.wait_for_url(re.compile(r".*preset=this_month.*"))

    out = _shots_dir(tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(out / "reports-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.wait_for_timeout(150)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the Reports page scrolls sideways at 375 px ({width} px wide)"
    page.screenshot(path=str(out / "reports-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Agents vs humans").click()
    fill = page.locator("rect.bar-agent").first.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(124, 58, 237)"  # the violet Agent colour
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("keito-agents-vs-humans-")
    rows = read_csv(Path(download.path()).read_text())
    assert [r[0] for r in rows] == ["Worker type", "Humans", "Agents", "Total"]

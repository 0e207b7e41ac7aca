"""Reports pages over HTTP against a real server: logged in through the login form (real
session cookie, real CSRF token), data written through the API, numbers checked exactly."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from keito_server.web.pages.reports import exact, preset_range

from tests.support.live import LiveServer, Workspace

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

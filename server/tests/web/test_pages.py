"""Page tests over HTTP against a real server (SQLite and PostgreSQL): accounts, CSRF, roles,
time entries through the pages, escaping, the polled fragment, Team and Settings."""

from __future__ import annotations

import re
from datetime import date

import httpx

from server.tests.web.conftest import PASSWORD, WebClient, admin_email, user_email
from tests.support.live import LiveServer, Workspace


def _today(ws: Workspace) -> str:
    return date.today().isoformat()  # workspaces in these tests use UTC


def _entries(ws: Workspace, **params: str) -> list[dict]:
    r = ws.api().get("time_entries", params=params)
    assert r.status_code == 200, r.text
    return r.json()["time_entries"]


# ── accounts ───────────────────────────────────────────────────────────────────────────


def test_anonymous_visitor_is_sent_to_login(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/time", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/time")


def test_sign_up_creates_workspace_and_administrator_then_log_out_and_in(web: WebClient) -> None:
    web.get("/signup")
    r = web.post(
        "/signup",
        {
            "company": "Nimbus Ltd",
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "Grace@Nimbus.example",
            "password": "a long secret",
            "timezone": "Europe/London",
            "currency": "GBP",
        },
    )
    assert r.status_code == 200 and "/time/day/" in str(r.url)
    assert "Nimbus Ltd" in r.text and "Grace Hopper" in r.text
    set_cookie = r.history[0].headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    settings = web.get("/settings/company")
    assert settings.status_code == 200 and "Europe/London" in settings.text and 'value="GBP"' in settings.text
    web.post("/logout")
    assert web.get("/time").url.path == "/login"
    bad = web.login("grace@nimbus.example", "wrong password")
    assert bad.status_code == 401 and "do not match" in bad.text
    ok = web.login("grace@nimbus.example", "a long secret")
    assert ok.status_code == 200 and "/time/day/" in str(ok.url)


def test_sign_up_refuses_short_password_and_bad_timezone(web: WebClient) -> None:
    web.get("/signup")
    r = web.post("/signup", {"company": "X", "email": "x@x.example", "password": "short", "timezone": "UTC"})
    assert r.status_code == 400 and "at least 8 characters" in r.text
    r = web.post(
        "/signup", {"company": "X", "email": "x@x.example", "password": "long enough", "timezone": "Mars/Base"}
    )
    assert r.status_code == 400 and "IANA" in r.text
    assert web.login("x@x.example", "long enough").status_code == 401  # nothing half-created


def test_login_is_throttled_after_five_failures(ws: Workspace, web: WebClient) -> None:
    email = admin_email(ws)
    for _ in range(5):
        assert web.login(email, "nope").status_code == 401
    r = web.login(email, PASSWORD)  # even the right password waits now
    assert r.status_code == 429 and "Too many failed" in r.text


def test_agent_users_cannot_log_in(ws: Workspace, web: WebClient) -> None:
    agent_id, _ = ws.add_user("review-bot-01", user_type="agent")
    r = web.login(user_email(ws, agent_id), PASSWORD)
    assert r.status_code == 401


def test_person_in_two_workspaces_chooses_one(ws: Workspace, web: WebClient) -> None:
    email = admin_email(ws)
    web.get("/signup")
    second = web.post("/signup", {"company": "Second Co", "email": email, "password": PASSWORD, "timezone": "UTC"})
    assert second.status_code == 200 and "Second Co" in second.text
    web.post("/logout")
    r = web.login(email)
    assert r.url.path == "/workspaces" and "Second Co" in r.text and "Test Co" in r.text
    r = web.post("/workspaces/switch", {"account_id": ws.account_id})
    assert r.status_code == 200 and 'title="Switch workspace">Test Co<' in r.text
    r = web.post("/workspaces/switch", {"account_id": "acc_not_mine"})
    assert r.status_code == 404


def test_sign_up_with_someone_elses_email_needs_their_password(ws: Workspace, web: WebClient) -> None:
    web.get("/signup")
    r = web.post(
        "/signup", {"company": "Hijack", "email": admin_email(ws), "password": "guessing123", "timezone": "UTC"}
    )
    assert r.status_code == 400 and "already has a Keito login" in r.text


def test_password_change_ends_other_sessions(ws: Workspace) -> None:
    first, second = WebClient(ws.server), WebClient(ws.server)
    email = admin_email(ws)
    first.login(email)
    second.login(email)
    r = first.post(
        "/settings/password",
        {"current_password": PASSWORD, "new_password": "brand new secret", "confirm_password": "brand new secret"},
    )
    assert "Password changed" in r.text
    assert first.get("/time").url.path.startswith("/time/day/")  # this session stays
    assert second.get("/time").url.path == "/login"  # the other one is over
    assert WebClient(ws.server).login(email, "brand new secret").url.path.startswith("/time/day/")
    wrong = first.post(
        "/settings/password", {"current_password": "nope", "new_password": "x" * 10, "confirm_password": "x" * 10}
    )
    assert "current password is not right" in wrong.text


# ── CSRF ───────────────────────────────────────────────────────────────────────────────


def test_forms_without_csrf_token_are_refused(ws: Workspace, admin_web: WebClient) -> None:
    data = {"project_id": ws.project_id, "task_id": ws.task_id, "hours": "1", "spent_date": _today(ws)}
    r = admin_web.post("/time/entries", data, csrf=False)
    assert r.status_code == 403
    r = admin_web.post("/time/entries", {**data, "csrf_token": "forged"}, csrf=False)
    assert r.status_code == 403
    assert _entries(ws) == []
    anon = httpx.post(f"{ws.server.url}/login", data={"email": "a@b.c", "password": "x"})
    assert anon.status_code == 403
    r = admin_web.post("/time/entries", data)  # with the token it works
    assert r.status_code == 200 and len(_entries(ws)) == 1


# ── time ───────────────────────────────────────────────────────────────────────────────


def test_timer_start_and_stop_through_the_day_view(ws: Workspace, admin_web: WebClient) -> None:
    r = admin_web.post(
        "/time/timer/start",
        {"project_id": ws.project_id, "task_id": ws.task_id, "notes": "Sprint planning", "spent_date": _today(ws)},
    )
    assert "Timer started" in r.text and "data-timer-start=" in r.text
    running = _entries(ws, is_running="true")
    assert len(running) == 1 and running[0]["notes"] == "Sprint planning"
    assert running[0]["source"] == "web"
    r = admin_web.post(f"/time/entries/{running[0]['id']}/stop")
    assert "Timer stopped" in r.text
    assert _entries(ws, is_running="true") == []


def test_manual_entries_by_duration_and_by_times(ws: Workspace, admin_web: WebClient) -> None:
    day = _today(ws)
    base = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": day}
    admin_web.post("/time/entries", {**base, "mode": "duration", "hours": "1:30", "notes": "colon"})
    admin_web.post("/time/entries", {**base, "mode": "duration", "hours": "0.25", "notes": "decimal"})
    r = admin_web.post(
        "/time/entries", {**base, "mode": "times", "started_time": "23:00", "ended_time": "01:00", "notes": "night"}
    )
    hours = {e["notes"]: e["hours"] for e in _entries(ws)}
    assert hours == {"colon": 1.5, "decimal": 0.25, "night": 2.0}
    assert 'data-testid="day-total">3:45<' in r.text
    bad = admin_web.post("/time/entries", {**base, "mode": "duration", "hours": "abc"})
    assert "is not a duration" in bad.text and len(_entries(ws)) == 3


def test_edit_restart_copy_delete(ws: Workspace, admin_web: WebClient) -> None:
    day = _today(ws)
    admin_web.post(
        "/time/entries",
        {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": day, "hours": "2", "notes": "first"},
    )
    entry = _entries(ws)[0]
    r = admin_web.get(f"/time/entries/{entry['id']}/edit")
    assert r.status_code == 200 and "first" in r.text
    admin_web.post(
        f"/time/entries/{entry['id']}/edit",
        {
            "project_id": ws.project_id,
            "task_id": ws.other_task_id,
            "spent_date": day,
            "mode": "duration",
            "hours": "2.5",
            "notes": "edited",
        },
    )
    edited = _entries(ws)[0]
    assert edited["hours"] == 2.5 and edited["notes"] == "edited" and edited["task"]["id"] == ws.other_task_id
    admin_web.post(f"/time/entries/{entry['id']}/copy", {"spent_date": day})
    assert sorted(e["hours"] for e in _entries(ws)) == [2.5, 2.5]
    admin_web.post(f"/time/entries/{entry['id']}/restart")
    assert [e["id"] for e in _entries(ws, is_running="true")] == [entry["id"]]
    admin_web.post(f"/time/entries/{entry['id']}/delete")
    assert len(_entries(ws)) == 1


def test_week_view_grid_and_source_filter(ws: Workspace, admin_web: WebClient) -> None:
    day = _today(ws)
    api = ws.api(dialect="v1")
    for hours, source in ((1, "web"), (2, "agent"), (0.5, "cli")):
        r = api.post(
            "/v1/time-entries",
            {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": day, "hours": hours, "source": source},
        )
        assert r.status_code == 201, r.text
    r = admin_web.get(f"/time/week/{day}")
    assert r.status_code == 200 and 'data-testid="week-total">3:30<' in r.text
    assert 'class="badge badge-agent"' in r.text and 'class="badge badge-cli"' in r.text
    agent_only = admin_web.get(f"/time/week/{day}?source=agent")
    assert 'data-testid="week-total">2:00<' in agent_only.text
    day_agent = admin_web.get(f"/time/day/{day}?source=agent")
    assert day_agent.text.count('data-source="agent"') == 1 and 'data-source="cli"' not in day_agent.text


def test_notes_are_escaped(ws: Workspace, admin_web: WebClient) -> None:
    note = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = admin_web.post(
        "/time/entries",
        {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": _today(ws), "hours": "1", "notes": note},
    )
    assert "<script>alert" not in r.text and "&lt;script&gt;alert" in r.text
    assert "<img src=x" not in r.text


def test_polled_fragment_answers_204_until_something_changes(ws: Workspace, admin_web: WebClient) -> None:
    day = _today(ws)
    page = admin_web.get(f"/time/day/{day}")
    sig = re.search(r'/live\?sig=([^"&]+)', page.text).group(1)  # type: ignore[union-attr]
    same = admin_web.http.get(f"/time/day/{day}/live?sig={sig}", headers={"HX-Request": "true"})
    assert same.status_code == 204
    r = ws.api(dialect="v1").post(
        "/v1/time-entries",
        {
            "project_id": ws.project_id,
            "task_id": ws.task_id,
            "spent_date": day,
            "is_running": True,
            "source": "agent",
            "metadata": {"agent_id": "claude-code", "session_id": "sess-42"},
        },
    )
    assert r.status_code == 201, r.text
    changed = admin_web.http.get(f"/time/day/{day}/live?sig={sig}", headers={"HX-Request": "true"})
    assert changed.status_code == 200 and 'class="badge badge-agent"' in changed.text and "Running" in changed.text


def test_agent_users_running_timer_shows_for_managers(ws: Workspace, admin_web: WebClient) -> None:
    _agent_id, key = ws.add_user("review-bot-02", user_type="agent")
    r = ws.api(key, dialect="v1").post(
        "/v1/time-entries",
        {
            "project_id": ws.project_id,
            "task_id": ws.task_id,
            "spent_date": _today(ws),
            "source": "agent",
            "is_running": True,
        },
    )
    assert r.status_code == 201, r.text
    page = admin_web.get(f"/time/day/{_today(ws)}")
    assert "Running now in your team" in page.text and "review-bot-02" in page.text


def test_entry_detail_shows_metadata_and_session_costs(ws: Workspace, admin_web: WebClient) -> None:
    day = _today(ws)
    api = ws.api(dialect="v1")
    meta = {"agent_id": "claude-code", "model": "claude-sonnet-4", "session_id": "sess-777"}
    entry = api.post(
        "/v1/time-entries",
        {
            "project_id": ws.project_id,
            "task_id": ws.task_id,
            "spent_date": day,
            "hours": 1,
            "source": "agent",
            "metadata": meta,
        },
    ).json()
    for cost in ("1.25", "0.75"):
        r = api.post(
            "/v1/expenses",
            {
                "project_id": ws.project_id,
                "expense_category_id": "cat_llm_usage",
                "spent_date": day,
                "total_cost": cost,
                "source": "agent",
                "metadata": {"session_id": "sess-777", "model": "claude-sonnet-4"},
            },
        )
        assert r.status_code == 201, r.text
    page = admin_web.get(f"/time/entries/{entry['id']}")
    assert page.status_code == 200
    assert "claude-code" in page.text and "claude-sonnet-4" in page.text and "sess-777" in page.text
    assert 'data-testid="session-cost">2.00 USD<' in page.text


def test_other_workspaces_entry_is_not_found(ws: Workspace, other_ws: Workspace, admin_web: WebClient) -> None:
    theirs = (
        other_ws.api(dialect="v1")
        .post(
            "/v1/time-entries",
            {"project_id": other_ws.project_id, "task_id": other_ws.task_id, "spent_date": _today(ws), "hours": 1},
        )
        .json()
    )
    assert admin_web.get(f"/time/entries/{theirs['id']}").status_code == 404
    assert admin_web.post(f"/time/entries/{theirs['id']}/delete").status_code == 200  # flashed, not deleted
    assert len(_entries(other_ws)) == 1


# ── roles ──────────────────────────────────────────────────────────────────────────────


def test_member_cannot_open_admin_pages(ws: Workspace) -> None:
    member_id, _ = ws.add_user("Mia Member")
    member = WebClient(ws.server)
    r = member.login(user_email(ws, member_id))
    assert r.url.path.startswith("/time/day/")
    assert 'href="/team"' not in r.text and 'href="/manage"' not in r.text
    for path in ("/team", "/settings/company", f"/team/{ws.admin_id}"):
        page = member.get(path)
        assert page.status_code == 403, path
        assert "Not allowed" in page.text
    assert member.post("/team/agents", {"name": "sneaky-bot"}).status_code == 403
    assert member.post("/settings/company", {"name": "Mine now"}).status_code == 403
    assert member.get("/settings/api").status_code == 200  # own keys are fine


# ── team ───────────────────────────────────────────────────────────────────────────────


def test_admin_adds_agent_with_key_that_works(ws: Workspace, admin_web: WebClient) -> None:
    r = admin_web.post(
        "/team/agents",
        {
            "name": "deploy-bot",
            "default_hourly_rate": "40",
            "cost_rate": "5",
            "project_ids": ws.project_id,
            "key_name": "ci",
        },
    )
    assert r.status_code == 201
    token = re.search(r'data-testid="new-api-key">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    me = httpx.get(f"{ws.server.url}/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["user_type"] == "agent"
    entry = httpx.post(
        f"{ws.server.url}/v1/time-entries",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "project_id": ws.project_id,
            "task_id": ws.task_id,
            "spent_date": _today(ws),
            "hours": 1,
            "source": "agent",
        },
    )
    assert entry.status_code == 201, entry.text  # assigned to the project by the form
    team = admin_web.get("/team")
    assert "deploy-bot" in team.text and token not in team.text  # shown once only


def test_invite_link_lets_a_person_join(ws: Workspace, admin_web: WebClient) -> None:
    r = admin_web.post("/team/invite", {"first_name": "Ivy", "email": "ivy@example.com", "role": "manager"})
    assert r.status_code == 201
    link = re.search(r'data-testid="invite-link">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    assert "Pending" in admin_web.get("/team").text
    assert WebClient(ws.server).login("ivy@example.com", "whatever12").status_code == 401  # not yet
    ivy = WebClient(ws.server)
    page = ivy.get(link.replace(ws.server.url, ""))
    assert page.status_code == 200 and "Join Test Co" in page.text
    r = ivy.post(link.replace(ws.server.url, ""), {"password": "ivy's secret"})
    assert r.url.path.startswith("/time/day/") and 'href="/team"' in r.text  # a manager
    assert ivy.get(link.replace(ws.server.url, "")).status_code == 404  # used up
    assert WebClient(ws.server).login("ivy@example.com", "ivy's secret").url.path.startswith("/time/day/")


# ── settings ───────────────────────────────────────────────────────────────────────────


def test_company_settings_are_saved(ws: Workspace, admin_web: WebClient) -> None:
    r = admin_web.post(
        "/settings/company",
        {
            "name": "Renamed Co",
            "timezone": "America/New_York",
            "currency": "eur",
            "week_start": "sunday",
            "rounding_minutes": "15",
            "lock_after_days": "30",
            "require_notes": "1",
        },
    )
    assert "Company settings saved" in r.text
    page = admin_web.get("/settings/company")
    assert 'value="Renamed Co"' in page.text and 'value="EUR"' in page.text
    assert '<option value="sunday" selected>' in page.text and '<option value="15" selected>' in page.text
    bad = admin_web.post("/settings/company", {"name": "X", "timezone": "Nowhere/Land", "currency": "USD"})
    assert "IANA" in bad.text


def test_personal_api_key_create_and_revoke(ws: Workspace, admin_web: WebClient) -> None:
    page = admin_web.get("/settings/api")
    assert ws.account_id in page.text
    r = admin_web.post("/settings/api/keys", {"name": "Laptop CLI"})
    token = re.search(r'data-testid="new-api-key">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    headers = {"Authorization": f"Bearer {token}", "Keito-Account-Id": ws.account_id}
    assert httpx.get(f"{ws.server.url}/api/v2/users/me", headers=headers).status_code == 200
    page = admin_web.get("/settings/api")
    assert "Laptop CLI" in page.text and token not in page.text
    key_id = re.search(r"/settings/api/keys/([^/]+)/revoke", page.text).group(1)  # type: ignore[union-attr]
    r = admin_web.post(f"/settings/api/keys/{key_id}/revoke")
    assert "is revoked" in r.text
    assert httpx.get(f"{ws.server.url}/api/v2/users/me", headers=headers).status_code == 401


def test_managers_see_a_teammates_timesheet_members_do_not(ws: Workspace, admin_web: WebClient) -> None:
    agent_id, key = ws.add_user("night-bot", user_type="agent")
    day = _today(ws)
    r = ws.api(key, dialect="v1").post(
        "/v1/time-entries",
        {
            "project_id": ws.project_id,
            "task_id": ws.task_id,
            "spent_date": day,
            "hours": 2,
            "source": "agent",
            "notes": "Nightly triage",
        },
    )
    assert r.status_code == 201, r.text
    own = admin_web.get(f"/time/day/{day}")
    assert "Nightly triage" not in own.text and 'name="user"' in own.text  # the person picker
    theirs = admin_web.get(f"/time/day/{day}?user={agent_id}")
    assert theirs.status_code == 200 and "Nightly triage" in theirs.text and "night-bot · Today" in theirs.text
    assert "Start timer" not in theirs.text  # nobody starts a timer for someone else here
    week = admin_web.get(f"/time/week/{day}?user={agent_id}&source=agent")
    assert 'data-testid="week-total">2:00<' in week.text
    assert f"source=cli&amp;user={agent_id}" in week.text  # the filter keeps the person
    member_id, _ = ws.add_user("Max Member")
    member = WebClient(ws.server)
    member.login(user_email(ws, member_id))
    assert member.get(f"/time/day/{day}?user={agent_id}").status_code == 403
    assert member.get(f"/time/week/{day}?user={ws.admin_id}").status_code == 403
    assert 'name="user"' not in member.get(f"/time/day/{day}").text


def test_admin_restricts_a_manager_to_teammates_in_the_team_page(ws: Workspace, admin_web: WebClient) -> None:
    manager_id, _ = ws.add_user("Mo Manager", roles=["manager", "member"])
    ann_id, ann_key = ws.add_user("Ann Analyst")
    bob_id, bob_key = ws.add_user("Bob Builder")
    day = _today(ws)
    for key, notes in ((ann_key, "Ann audit notes"), (bob_key, "Bob build notes")):
        body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": day, "hours": 1, "notes": notes}
        assert ws.api(key).post("time_entries", json=body).status_code == 201
    page = admin_web.get(f"/team/{manager_id}")
    assert page.status_code == 200 and 'id="teammates"' in page.text
    assert "sees and manages the whole team" in page.text
    saved = admin_web.post(f"/team/{manager_id}/teammates", {"teammate_ids": [ann_id]})
    assert saved.status_code == 200 and "Teammates saved: sees 1 person and themselves." in saved.text
    assert re.search(rf'value="{ann_id}" checked', saved.text) and not re.search(
        rf'value="{bob_id}" checked', saved.text
    )
    # Without a CSRF token nothing changes.
    assert admin_web.post(f"/team/{manager_id}/teammates", {"teammate_ids": [bob_id]}, csrf=False).status_code == 403
    # Members and administrators have no teammates section; a member cannot set one.
    assert 'id="teammates"' not in admin_web.get(f"/team/{ann_id}").text
    refused = admin_web.post(f"/team/{ann_id}/teammates", {"teammate_ids": [bob_id]})
    assert "is not a manager" in refused.text

    manager = WebClient(ws.server)
    assert manager.login(user_email(ws, manager_id)).status_code == 200
    own = manager.get(f"/time/day/{day}")
    picker = re.search(r'<select[^>]*name="user".*?</select>', own.text, re.S)
    assert picker is not None and "Ann Analyst" in picker.group(0) and "Bob Builder" not in picker.group(0)
    assert "Ann audit notes" in manager.get(f"/time/day/{day}?user={ann_id}").text
    assert manager.get(f"/time/day/{day}?user={bob_id}").status_code == 403
    assert manager.get(f"/time/week/{day}?user={bob_id}").status_code == 403
    report = manager.get("/reports/time-by-person.csv", params={"preset": "this_week"})
    assert report.status_code == 200 and "Ann Analyst" in report.text and "Bob Builder" not in report.text

    cleared = admin_web.post(f"/team/{manager_id}/teammates", {})
    assert "Teammates cleared" in cleared.text
    assert "Bob build notes" in manager.get(f"/time/day/{day}?user={bob_id}").text


def test_admin_turns_off_manager_permissions_in_the_team_page(ws: Workspace, admin_web: WebClient) -> None:
    manager_id, _ = ws.add_user("Pat Manager", roles=["manager", "member"])
    page = admin_web.get(f"/team/{manager_id}")
    assert 'id="permissions"' in page.text and 'value="create_projects" checked' in page.text
    kept = ["draft_invoices", "send_invoices", "edit_team_time"]  # the other three off
    saved = admin_web.post(f"/team/{manager_id}/permissions", {"granted": kept})
    assert saved.status_code == 200 and "Permissions saved." in saved.text
    assert 'value="create_projects" checked' not in saved.text and 'value="edit_team_time" checked' in saved.text
    perms = ws.api().get(f"users/{manager_id}").json()["manager_permissions"]
    assert perms == {
        "create_projects": False,
        "manage_clients_and_tasks": False,
        "draft_invoices": True,
        "send_invoices": True,
        "edit_team_time": True,
        "withdraw_approvals": False,
    }

    manager = WebClient(ws.server)
    assert manager.login(user_email(ws, manager_id)).status_code == 200
    listing = manager.get("/projects")
    assert listing.status_code == 200 and 'href="/projects/new"' not in listing.text
    assert manager.get("/projects/new").status_code == 403
    refused = manager.post("/projects/new", {"client_id": ws.client_id, "name": "Sneaky Project", "bill_by": "Project"})
    assert refused.status_code == 403 and "not given you permission to create projects" in refused.text
    assert manager.get("/manage/clients/new").status_code == 403
    refused = manager.post("/manage/clients/new", {"name": "Sneaky Co", "currency": "USD"})
    assert refused.status_code == 403 and "not given you permission to create clients" in refused.text
    tasks_page = manager.get("/manage/tasks")
    assert tasks_page.status_code == 200 and 'action="/manage/tasks"' not in tasks_page.text
    names = {p["name"] for p in ws.api().get("projects").json()["projects"]}
    clients = {c["name"] for c in ws.api().get("clients").json()["clients"]}
    assert "Sneaky Project" not in names and "Sneaky Co" not in clients


def test_submit_a_week_then_a_manager_approves_and_rejects_in_the_approvals_page(ws: Workspace) -> None:
    manager_id, _ = ws.add_user("Rita Reviewer", roles=["manager", "member"])
    member_id, member_key = ws.add_user("Sam Submitter")
    for day in ("2026-03-02", "2026-03-10"):
        body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": day, "hours": 2}
        assert ws.api(member_key).post("time_entries", json=body).status_code == 201
    member = WebClient(ws.server)
    assert member.login(user_email(ws, member_id)).status_code == 200
    week = member.get("/time/week/2026-03-04")
    assert "Submit week for approval" in week.text and 'href="/approvals"' in week.text
    done = member.post("/approvals", {"period_start": "2026-03-02", "period_end": "2026-03-08"})
    assert done.status_code == 200 and "Submitted for approval: 1 item, 2:00." in done.text
    nothing = member.post("/approvals", {"period_start": "2026-03-02", "period_end": "2026-03-08"})
    assert "Nothing to submit" in nothing.text
    mine = member.get("/approvals")
    assert "Sam Submitter" in mine.text and '/approve"' not in mine.text  # members do not decide
    approval_id = re.search(r'data-testid="approval-([^"]+)"', mine.text).group(1)  # type: ignore[union-attr]
    assert member.post(f"/approvals/{approval_id}/approve").status_code == 200
    assert ws.api().get(f"approvals/{approval_id}").json()["status"] == "submitted"  # refused, nothing changed

    manager = WebClient(ws.server)
    assert manager.login(user_email(ws, manager_id)).status_code == 200
    queue = manager.get("/approvals")
    assert f'action="/approvals/{approval_id}/approve"' in queue.text
    rejected = manager.post(
        f"/approvals/{approval_id}/reject", {"reason": "Add notes to Monday", "status": "submitted"}
    )
    assert "Rejected: Sam Submitter" in rejected.text
    assert "Add notes to Monday" in manager.get("/approvals?status=rejected").text
    again = member.post("/approvals", {"period_start": "2026-03-02", "period_end": "2026-03-08"})
    assert "Submitted for approval" in again.text
    second = ws.api().get("approvals", params={"status": "submitted"}).json()["approvals"][0]["id"]
    approved = manager.post(f"/approvals/{second}/approve", {"status": "submitted"})
    assert "Approved: Sam Submitter" in approved.text
    assert "Withdraw approval" in manager.get("/approvals?status=approved").text
    entry = ws.api(member_key).get("time_entries", params={"from": "2026-03-02", "to": "2026-03-08"}).json()
    assert [e["approval_status"] for e in entry["time_entries"]] == ["approved"]
    # Without a CSRF token nothing is decided.
    assert manager.post(f"/approvals/{second}/withdraw", csrf=False).status_code == 403

"""Timers (decisions §3): server-side durations, stop/restart, past and future starts, the
v1 way of stopping, and the workspace timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.contract import assert_matches
from tests.support.live import Workspace


def _start_at(ws: Workspace, minutes_ago: int, tz: str = "UTC") -> dict[str, object]:
    start = datetime.now(UTC).astimezone(ZoneInfo(tz)) - timedelta(minutes=minutes_ago)
    return {
        "project_id": ws.project_id,
        "task_id": ws.task_id,
        "spent_date": start.date().isoformat(),
        "started_time": start.strftime("%H:%M"),
        "is_running": True,
    }


def _today(tz: str = "UTC") -> str:
    return datetime.now(UTC).astimezone(ZoneInfo(tz)).date().isoformat()


def _running(ws: Workspace, **extra: object) -> dict[str, object]:
    return {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": _today(), "is_running": True, **extra}


def test_stop_computes_duration_on_the_server(ws: Workspace) -> None:
    ws.update_account(allow_past_timer_starts=True)
    api = ws.api()
    started = api.post("time_entries", json=_start_at(ws, 90))
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["is_running"] is True and body["timer_started_at"].endswith("Z")
    assert 1.45 <= body["hours"] <= 1.55  # a running timer reports its time so far
    stopped = api.patch(f"time_entries/{body['id']}/stop", json={"notes": "done"})
    assert stopped.status_code == 200, stopped.text
    out = stopped.json()
    assert out["is_running"] is False and out["timer_started_at"] is None
    assert 1.48 <= out["hours"] <= 1.55
    assert out["notes"] == "done"
    assert out["ended_time"] is not None and out["started_time"] == _start_at(ws, 90)["started_time"]


def test_stop_without_notes_keeps_notes(ws: Workspace) -> None:
    api = ws.api()
    entry = api.post("time_entries", json=_running(ws, notes="keep me")).json()
    out = api.patch(f"time_entries/{entry['id']}/stop").json()
    assert out["notes"] == "keep me"


def test_past_start_needs_the_workspace_setting(ws: Workspace) -> None:
    r = ws.api().post("time_entries", json=_start_at(ws, 120))
    assert r.status_code == 422
    assert r.json()["code"] == "past_timer_start_not_allowed"
    assert ws.api().get("time_entries").json()["total_entries"] == 0


def test_future_start_is_never_allowed(ws: Workspace) -> None:
    ws.update_account(allow_past_timer_starts=True)
    r = ws.api().post("time_entries", json=_start_at(ws, -120))
    assert r.status_code == 422
    assert r.json()["code"] == "timer_start_in_future"
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    r2 = ws.api().post("time_entries", json={**_running(ws), "spent_date": tomorrow})
    assert r2.status_code == 422 and r2.json()["code"] == "timer_start_in_future"


def test_restart_rules(ws: Workspace) -> None:
    api = ws.api()
    a = api.post("time_entries", json={**_running(ws), "is_running": False, "hours": 1}).json()
    restarted = api.patch(f"time_entries/{a['id']}/restart")
    assert restarted.status_code == 200, restarted.text
    assert_matches("restartTimeEntry", restarted)
    assert restarted.json()["is_running"] is True
    assert restarted.json()["hours"] >= 1  # restart keeps the time already logged
    again = api.patch(f"time_entries/{a['id']}/restart")
    assert again.status_code == 409 and again.json()["code"] == "timer_already_running"
    b = api.post("time_entries", json={**_running(ws), "is_running": False, "hours": 2}).json()
    blocked = api.patch(f"time_entries/{b['id']}/restart", json={})
    assert blocked.status_code == 409 and blocked.json()["code"] == "timer_already_running"
    switched = api.patch(f"time_entries/{b['id']}/restart", json={"replace_running": True})
    assert switched.status_code == 200 and switched.json()["is_running"] is True
    assert api.get(f"time_entries/{a['id']}").json()["is_running"] is False


def test_restarting_an_older_entry_replaces_a_newer_timer(ws: Workspace) -> None:
    api = ws.api()
    older = api.post("time_entries", json={**_running(ws), "is_running": False, "hours": 1}).json()
    newer = api.post("time_entries", json=_running(ws)).json()
    r = api.patch(f"time_entries/{older['id']}/restart", json={"replace_running": True})
    assert r.status_code == 200, r.text
    assert r.json()["is_running"] is True
    assert api.get(f"time_entries/{newer['id']}").json()["is_running"] is False


@pytest.mark.parametrize("dialect", ["v1", "v2"])
def test_patch_is_running_false_stops_with_given_hours(ws: Workspace, dialect: str) -> None:
    api = ws.api(dialect=dialect)
    path = "time-entries" if dialect == "v1" else "time_entries"
    entry = api.post(path, json=_running(ws)).json()
    out = api.patch(f"{path}/{entry['id']}", json={"hours": 1.5, "is_running": False, "notes": "Agent done"})
    assert out.status_code == 200, out.text
    body = out.json()
    assert body["is_running"] is False and body["hours"] == 1.5 and body["notes"] == "Agent done"
    again = api.patch(f"{path}/{entry['id']}/stop")
    assert again.status_code == 409
    code = again.json()["error"]["code"] if dialect == "v1" else again.json()["code"]
    assert code == "timer_not_running"


def test_patch_is_running_false_without_hours_computes_them(ws: Workspace) -> None:
    ws.update_account(allow_past_timer_starts=True)
    api = ws.api(dialect="v1")
    entry = api.post("time-entries", json=_start_at(ws, 30)).json()
    out = api.patch(f"time-entries/{entry['id']}", json={"is_running": False}).json()
    assert out["is_running"] is False
    assert 0.48 <= out["hours"] <= 0.55


def test_running_timer_hours_cannot_be_patched(ws: Workspace) -> None:
    api = ws.api()
    entry = api.post("time_entries", json=_running(ws)).json()
    r = api.patch(f"time_entries/{entry['id']}", json={"hours": 3})
    assert r.status_code == 400 and r.json()["field"] == "hours"


def test_started_time_is_in_the_workspace_timezone(ws: Workspace) -> None:
    tz = "America/New_York"
    ws.update_account(timezone=tz)
    r = ws.api().post("time_entries", json={**_running(ws), "spent_date": _today(tz)})
    assert r.status_code == 201, r.text
    expected = datetime.now(UTC).astimezone(ZoneInfo(tz)).strftime("%H:%M")
    later = (datetime.now(UTC).astimezone(ZoneInfo(tz)) - timedelta(minutes=1)).strftime("%H:%M")
    assert r.json()["started_time"] in {expected, later}


def test_v2_without_hours_starts_a_timer_as_harvest_does(ws: Workspace) -> None:
    r = ws.api().post("time_entries", json={"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": _today()})
    assert r.status_code == 201 and r.json()["is_running"] is True


def test_v1_requires_hours_for_a_completed_entry(ws: Workspace) -> None:
    r = ws.api(dialect="v1").post(
        "time-entries", json={"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": _today()}
    )
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "validation_error",
        "message": "hours is required unless is_running is true (or give started_time and ended_time).",
        "field": "hours",
    }


def test_delete_running_timer_discards_it(ws: Workspace) -> None:
    api = ws.api()
    entry = api.post("time_entries", json=_running(ws)).json()
    assert api.delete(f"time_entries/{entry['id']}").status_code == 204
    assert api.get(f"time_entries/{entry['id']}").status_code == 404
    assert api.post("time_entries", json=_running(ws)).status_code == 201


def test_a_refused_second_timer_leaves_no_transaction_open(ws: Workspace) -> None:
    """The 409 must not leave the session in a transaction: on SQLite that transaction holds the
    write lock until the request's session is closed, and under load every other request waits
    for it (it once made the two-process timer race answer 500 after 30 s)."""
    from keito_server.domain.errors import Conflict
    from keito_server.services import time_entries

    def race(session: Any, actor: Any) -> tuple[str, bool]:
        body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": datetime.now(UTC).date()}
        first = time_entries.create_entry(session, actor, dict(body))
        assert first.entry.is_running
        with pytest.raises(Conflict) as refused:
            time_entries.create_entry(session, actor, dict(body))
        return refused.value.message, session.in_transaction()

    message, open_after = ws.run(race)
    assert "Another timer is already running (te_" in message
    assert open_after is False

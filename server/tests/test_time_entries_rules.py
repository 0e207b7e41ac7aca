"""The rules of decisions §3 that are not about timers: modes, rounding, source, metadata,
filters, locking, rates, assignments and visibility."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.support.live import Workspace, today


def entry(ws: Workspace, **extra: Any) -> dict[str, Any]:
    return {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": today(), "hours": 1, **extra}


def test_start_and_end_mode_including_midnight(ws: Workspace) -> None:
    api = ws.api()
    r = api.post("time_entries", json=entry(ws, hours=None, started_time="09:00", ended_time="10:30"))
    assert r.status_code == 201, r.text
    assert r.json()["hours"] == 1.5 and r.json()["started_time"] == "09:00" and r.json()["ended_time"] == "10:30"
    night = api.post("time_entries", json=entry(ws, hours=None, started_time="23:00", ended_time="01:00"))
    assert night.status_code == 201 and night.json()["hours"] == 2
    moved = api.patch(f"time_entries/{night.json()['id']}", json={"ended_time": "02:15"})
    assert moved.json()["hours"] == 3.25
    to_duration = api.patch(f"time_entries/{night.json()['id']}", json={"hours": 0.5}).json()
    assert to_duration["hours"] == 0.5 and to_duration["started_time"] is None


def test_ended_time_needs_started_time(ws: Workspace) -> None:
    r = ws.api().post("time_entries", json=entry(ws, hours=None, ended_time="10:00", is_running=False))
    assert r.status_code == 400 and r.json()["field"] == "started_time"


@pytest.mark.parametrize(("rounding", "hours", "expected"), [(15, 1.1, 1.0), (15, 1.2, 1.25), (6, 0.33, 0.3)])
def test_rounding_applies_on_save(ws: Workspace, rounding: int, hours: float, expected: float) -> None:
    ws.update_account(rounding_minutes=rounding)
    r = ws.api().post("time_entries", json=entry(ws, hours=hours))
    assert r.status_code == 201 and r.json()["hours"] == expected


def test_source_defaults_and_never_changes(ws: Workspace) -> None:
    api = ws.api()
    created = api.post("time_entries", json=entry(ws)).json()
    assert created["source"] == "api"
    changed = api.patch(f"time_entries/{created['id']}", json={"source": "agent"})
    assert changed.status_code == 400 and changed.json()["field"] == "source"
    same = api.patch(f"time_entries/{created['id']}", json={"source": "api", "notes": "ok"})
    assert same.status_code == 200 and same.json()["source"] == "api"
    bad = api.post("time_entries", json=entry(ws, source="robot"))
    assert bad.status_code == 400 and bad.json()["field"] == "source"


def test_source_filter_takes_a_comma_separated_list(ws: Workspace) -> None:
    api = ws.api()
    for source in ("agent", "cli", "web", "calendar"):
        assert api.post("time_entries", json=entry(ws, source=source)).status_code == 201
    got = api.get("time_entries", params={"source": "agent,cli"}).json()["time_entries"]
    assert sorted(e["source"] for e in got) == ["agent", "cli"]
    assert api.get("time_entries", params={"source": "agent,robot"}).status_code == 400


def test_metadata_merges_and_null_clears(ws: Workspace) -> None:
    api = ws.api()
    created = api.post("time_entries", json=entry(ws, metadata={"agent_id": "bot", "model": "m1"})).json()
    merged = api.patch(f"time_entries/{created['id']}", json={"metadata": {"model": "m2", "session_id": "s-1"}})
    assert merged.json()["metadata"] == {"agent_id": "bot", "model": "m2", "session_id": "s-1"}
    assert [e["id"] for e in api.get("time_entries", params={"session_id": "s-1"}).json()["time_entries"]] == [
        created["id"]
    ]
    untouched = api.patch(f"time_entries/{created['id']}", json={"notes": "n"}).json()
    assert untouched["metadata"]["model"] == "m2"
    cleared = api.patch(f"time_entries/{created['id']}", json={"metadata": None}).json()
    assert cleared["metadata"] is None
    assert api.get("time_entries", params={"session_id": "s-1"}).json()["total_entries"] == 0


def test_metadata_growing_past_4kb_on_merge_is_refused(ws: Workspace) -> None:
    api = ws.api()
    created = api.post("time_entries", json=entry(ws, metadata={"a": "x" * 3000})).json()
    r = api.patch(f"time_entries/{created['id']}", json={"metadata": {"b": "y" * 2000}})
    assert r.status_code == 400 and r.json()["code"] == "metadata_too_large"
    assert api.get(f"time_entries/{created['id']}").json()["metadata"] == {"a": "x" * 3000}


def test_list_filters(ws: Workspace, other_ws: Workspace) -> None:
    api = ws.api()
    member_id, member_key = ws.add_user("Mia")
    old = (date.today() - timedelta(days=3)).isoformat()
    a = api.post("time_entries", json=entry(ws, metadata={"agent_id": "bot-a"})).json()
    b = api.post("time_entries", json=entry(ws, task_id=ws.other_task_id, spent_date=old)).json()
    c = ws.api(member_key).post("time_entries", json=entry(ws)).json()
    api.post("time_entries", json=entry(ws, hours=None, is_running=True))

    def ids(**params: Any) -> set[str]:
        r = api.get("time_entries", params=params)
        assert r.status_code == 200, r.text
        return {e["id"] for e in r.json()["time_entries"]}

    assert ids(agent_id="bot-a") == {a["id"]}
    assert ids(task_id=ws.other_task_id) == {b["id"]}
    assert ids(user_id=member_id) == {c["id"]}
    assert ids(**{"from": old, "to": old}) == {b["id"]}
    assert len(ids(is_running="true")) == 1
    assert len(ids(is_running="false")) == 3
    assert ids(project_id=ws.project_id) == ids(client_id=ws.client_id)
    assert len(ids(client_id=ws.client_id)) == 4
    assert ids(client_id=other_ws.client_id) == set()
    assert ids(is_billed="true") == set()
    assert len(ids(updated_since="2000-01-01T00:00:00Z")) == 4
    assert ids(updated_since="2999-01-01T00:00:00Z") == set()
    assert api.get("time_entries", params={"from": "2026-02-30"}).status_code == 400
    assert api.get("time_entries", params={"updated_since": "yesterday"}).status_code == 400


def test_pagination_envelope_and_links(ws: Workspace) -> None:
    api = ws.api()
    for _ in range(5):
        api.post("time_entries", json=entry(ws))
    page = api.get("time_entries", params={"per_page": 2, "page": 2, "source": "api"}).json()
    assert page["total_entries"] == 5 and page["total_pages"] == 3 and page["page"] == 2
    assert len(page["time_entries"]) == 2
    assert page["links"]["next"] == "/api/v2/time_entries?source=api&page=3&per_page=2"
    assert page["links"]["previous"] == "/api/v2/time_entries?source=api&page=1&per_page=2"
    assert api.get("time_entries", params={"per_page": 2001}).status_code == 400
    assert api.get("time_entries", params={"page": 0}).status_code == 400
    assert api.get("time_entries", params={"page": 36627893167763870449664}).status_code == 400
    v1 = ws.api(dialect="v1")
    first = v1.get("time-entries", params={"limit": 3}).json()
    assert len(first["data"]) == 3 and first["has_more"] is True
    second = v1.get("time-entries", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(second["data"]) == 2 and second["has_more"] is False and second["next_cursor"] is None
    assert {e["id"] for e in first["data"]}.isdisjoint({e["id"] for e in second["data"]})
    assert v1.get("time-entries", params={"cursor": "garbage!"}).status_code == 400


def _set(ws: Workspace, entry_id: str, **fields: Any) -> None:
    from keito_server.db.models import TimeEntry

    def apply(session: Any, _actor: Any) -> None:
        row = session.get(TimeEntry, entry_id)
        for k, v in fields.items():
            setattr(row, k, v)
        session.commit()

    ws.run(apply)


@pytest.mark.parametrize("lock", [{"approval_status": "approved"}, {"is_billed": True}])
def test_locked_entries_cannot_change(ws: Workspace, lock: dict[str, Any]) -> None:
    api = ws.api()
    created = api.post("time_entries", json=entry(ws)).json()
    _set(ws, created["id"], **lock)
    got = api.get(f"time_entries/{created['id']}").json()
    assert got["is_locked"] is True
    for r in (
        api.patch(f"time_entries/{created['id']}", json={"notes": "x"}),
        api.delete(f"time_entries/{created['id']}"),
        api.patch(f"time_entries/{created['id']}/restart"),
    ):
        assert r.status_code == 409 and r.json()["code"] == "entry_locked"
    assert api.get(f"time_entries/{created['id']}").json()["notes"] is None


def test_lock_period_binds_members_not_administrators(ws: Workspace) -> None:
    ws.update_account(lock_after_days=7)
    _, member_key = ws.add_user("Max")
    old = (date.today() - timedelta(days=10)).isoformat()
    refused = ws.api(member_key).post("time_entries", json=entry(ws, spent_date=old))
    assert refused.status_code == 409 and refused.json()["code"] == "entry_locked"
    admin_entry = ws.api().post("time_entries", json=entry(ws, spent_date=old))
    assert admin_entry.status_code == 201
    assert ws.api().patch(f"time_entries/{admin_entry.json()['id']}", json={"notes": "fix"}).status_code == 200


def _rates(
    ws: Workspace,
    *,
    bill_by: str,
    person: str | None = None,
    task: str | None = None,
    project: str | None = None,
    default: str | None = None,
) -> tuple[str, str]:
    """A project billed by ``bill_by`` and a member with the given rates; returns (project id, key)."""
    from keito_server.db.models import Project, TaskAssignment, User, UserAssignment
    from sqlalchemy import select

    user_id, key = ws.add_user(
        "Rita", default_hourly_rate=Decimal(default) if default else None, cost_rate=Decimal("40")
    )

    def apply(session: Any, _actor: Any) -> str:
        p = session.get(Project, ws.project_id)
        p.bill_by = bill_by
        p.hourly_rate = Decimal(project) if project else None
        session.scalar(select(UserAssignment).where(UserAssignment.user_id == user_id)).hourly_rate = (
            Decimal(person) if person else None
        )
        ta = session.scalar(
            select(TaskAssignment).where(TaskAssignment.project_id == p.id, TaskAssignment.task_id == ws.task_id)
        )
        ta.hourly_rate = Decimal(task) if task else None
        assert session.get(User, user_id) is not None
        session.commit()
        return str(p.id)

    return ws.run(apply), key


@pytest.mark.parametrize(
    ("bill_by", "rates", "expected"),
    [
        ("People", {"person": "120", "task": "90", "project": "80", "default": "70"}, 120),
        ("People", {"task": "90", "project": "80", "default": "70"}, 90),
        ("Tasks", {"person": "120", "task": "90", "project": "80"}, 90),
        ("Tasks", {"person": "120", "project": "80"}, 80),
        ("Project", {"person": "120", "task": "90", "project": "80", "default": "70"}, 80),
        ("Project", {"default": "70"}, 70),
        ("none", {"person": "120", "project": "80"}, None),
    ],
)
def test_rates_are_resolved_and_stored(
    ws: Workspace, bill_by: str, rates: dict[str, str], expected: int | None
) -> None:
    _, key = _rates(ws, bill_by=bill_by, **rates)
    body = ws.api(key).post("time_entries", json=entry(ws)).json()
    assert body["billable_rate"] == expected
    assert body["cost_rate"] == 40
    assert body["billable"] is (expected is not None)


def test_project_assignment_is_required_except_for_administrators(ws: Workspace) -> None:
    _, outsider_key = ws.add_user("Olly", assign=False)
    r = ws.api(outsider_key).post("time_entries", json=entry(ws))
    assert r.status_code == 403 and r.json()["code"] == "project_not_assigned"
    assert r.json()["error_description"].startswith("Olly is not assigned to project '"), r.text
    v1 = ws.api(outsider_key, dialect="v1").post("time-entries", json=entry(ws))
    assert v1.status_code == 403 and v1.json()["error"]["code"] == "project_not_assigned"

    from keito_server.db.models import UserAssignment
    from sqlalchemy import delete

    def unassign_admin(session: Any, actor: Any) -> None:
        session.execute(delete(UserAssignment).where(UserAssignment.user_id == actor.user_id))
        session.commit()

    ws.run(unassign_admin)
    assert ws.api().post("time_entries", json=entry(ws)).status_code == 201


def test_visibility_and_logging_for_others(ws: Workspace) -> None:
    member_id, member_key = ws.add_user("Meg")
    _, other_key = ws.add_user("Nick")
    _, manager_key = ws.add_user("Manny", roles=["manager"])
    mine = ws.api(member_key).post("time_entries", json=entry(ws)).json()
    assert ws.api(other_key).get(f"time_entries/{mine['id']}").status_code == 404
    assert ws.api(other_key).patch(f"time_entries/{mine['id']}", json={"notes": "x"}).status_code == 404
    assert ws.api(other_key).get("time_entries").json()["total_entries"] == 0
    assert ws.api(manager_key).get(f"time_entries/{mine['id']}").status_code == 200
    for_member = ws.api(manager_key).post("time_entries", json=entry(ws, user_id=member_id))
    assert for_member.status_code == 201 and for_member.json()["user_id"] == member_id
    refused = ws.api(other_key).post("time_entries", json=entry(ws, user_id=member_id))
    assert refused.status_code == 403 and refused.json()["code"] == "authorization_error"


def test_archived_project_and_required_notes(ws: Workspace) -> None:
    from keito_server.db.models import Project

    ws.update_account(require_notes=True)
    r = ws.api().post("time_entries", json=entry(ws))
    assert r.status_code == 422 and r.json()["field"] == "notes"
    assert ws.api().post("time_entries", json=entry(ws, notes="did things")).status_code == 201

    def archive(session: Any, _actor: Any) -> None:
        session.get(Project, ws.project_id).is_active = False
        session.commit()

    ws.run(archive)
    r2 = ws.api().post("time_entries", json=entry(ws, notes="x"))
    assert r2.status_code == 422 and r2.json()["field"] == "project_id"

"""ADR 0512: a create may take its project, task and assignment from the context the server
read for an earlier create, but writes only if that context is still the database's. Here the
database changes behind the running server's back (as another worker or host would change it),
and the next create must act on the database as it is now, writing nothing on the way."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.support.live import Workspace, today


def _entry(ws: Workspace, **extra: Any) -> dict[str, Any]:
    return {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": today(), "hours": 1, **extra}


def _behind_the_servers_back(ws: Workspace, statement: Any) -> None:
    """Runs ``statement`` on the server's database from this process, not through the server."""
    ws.run(lambda session, _actor: (session.execute(statement), session.commit()))


def _entries(ws: Workspace) -> int:
    """Time entries in the workspace (a create writes its entry and nothing else, ADR 0519)."""
    from keito_server.db.models import TimeEntry

    count: int = ws.run(
        lambda session, _actor: session.scalar(select(func.count()).where(TimeEntry.account_id == ws.account_id))
    )
    return count


def test_a_rate_changed_behind_the_servers_back_is_the_rate_of_the_next_entry(ws: Workspace) -> None:
    from keito_server.db.models import Project

    _behind_the_servers_back(
        ws, update(Project).where(Project.id == ws.project_id).values(bill_by="Project", hourly_rate=100)
    )
    api = ws.api()
    assert api.post("time_entries", json=_entry(ws)).json()["billable_rate"] == 100
    assert api.post("time_entries", json=_entry(ws)).json()["billable_rate"] == 100  # the remembered context
    _behind_the_servers_back(ws, update(Project).where(Project.id == ws.project_id).values(hourly_rate=150))
    third = api.post("time_entries", json=_entry(ws))
    assert third.status_code == 201, third.text
    assert third.json()["billable_rate"] == 150
    assert _entries(ws) == 3


def test_a_renamed_task_is_named_in_the_next_entry(ws: Workspace) -> None:
    from keito_server.db.models import Task

    api = ws.api(dialect="v1")
    assert api.post("time-entries", json=_entry(ws)).json()["task"]["name"] == "Development"
    _behind_the_servers_back(ws, update(Task).where(Task.id == ws.task_id).values(name="Building"))
    renamed = api.post("time-entries", json=_entry(ws))
    assert renamed.status_code == 201, renamed.text
    assert renamed.json()["task"]["name"] == "Building"


def test_a_member_taken_off_the_project_behind_the_servers_back_is_refused_and_nothing_is_written(
    ws: Workspace,
) -> None:
    from keito_server.db.models import UserAssignment

    member_id, key = ws.add_user("Meg")
    api = ws.api(key)
    assert api.post("time_entries", json=_entry(ws)).status_code == 201
    assert api.post("time_entries", json=_entry(ws, is_running=True, hours=None)).status_code == 201
    before = _entries(ws)
    _behind_the_servers_back(
        ws, update(UserAssignment).where(UserAssignment.user_id == member_id).values(is_active=False)
    )
    for body in (_entry(ws), _entry(ws, is_running=True, hours=None, replace_running=True)):
        refused = api.post("time_entries", json=body)
        assert refused.status_code == 403 and refused.json()["code"] == "project_not_assigned", refused.text
    assert _entries(ws) == before == 2
    timers = api.get("time_entries", params={"is_running": "true"}).json()["time_entries"]
    assert len(timers) == 1  # the running timer was not replaced


def test_an_archived_task_is_refused_and_a_restored_one_accepted_again(ws: Workspace) -> None:
    from keito_server.db.models import Task

    api = ws.api()
    assert api.post("time_entries", json=_entry(ws)).status_code == 201
    _behind_the_servers_back(ws, update(Task).where(Task.id == ws.task_id).values(is_active=False))
    refused = api.post("time_entries", json=_entry(ws))
    assert refused.status_code == 422 and refused.json()["field"] == "task_id", refused.text
    _behind_the_servers_back(ws, update(Task).where(Task.id == ws.task_id).values(is_active=True))
    assert api.post("time_entries", json=_entry(ws)).status_code == 201
    assert _entries(ws) == 2


def test_the_guarded_insert_stays_within_what_psycopg_caches_per_statement() -> None:
    """psycopg parses a statement's placeholders once and caches the result only for statements
    of at most 4096 characters and 50 parameters; past either, it parses on every run, which
    made this insert cost more than the context read it replaces (ADR 0512)."""
    from keito_server.services import time_entries
    from psycopg import _queries
    from sqlalchemy import create_engine

    dialect = create_engine("postgresql+psycopg://keito@127.0.0.1/none").dialect  # no connection is made
    compiled = time_entries._guarded_insert().compile(dialect=dialect)
    names = set(compiled.bind_names.values())
    assert len(str(compiled)) <= _queries.MAX_CACHED_STATEMENT_LENGTH
    assert len(names) <= _queries.MAX_CACHED_STATEMENT_PARAMS


# A trigger that keeps the entry from being written, on each backend: the guarded insert then
# writes nothing, as when the context changes between a create's read and its insert.
_VANISH = {
    "postgres": [  # the sequence counts the tries (a sequence does not roll back)
        "CREATE SEQUENCE keito_test_tries",
        "CREATE FUNCTION keito_test_vanish() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN PERFORM nextval('keito_test_tries'); RETURN NULL; END $$",
        "CREATE TRIGGER keito_test_vanish BEFORE INSERT ON time_entries FOR EACH ROW"
        " WHEN (NEW.notes = 'vanish') EXECUTE FUNCTION keito_test_vanish()",
    ],
    "sqlite": [
        "CREATE TRIGGER keito_test_vanish BEFORE INSERT ON time_entries"
        " WHEN NEW.notes = 'vanish' BEGIN SELECT RAISE(IGNORE); END",
    ],
}
_UNVANISH = {
    "postgres": [
        "DROP TRIGGER keito_test_vanish ON time_entries",
        "DROP FUNCTION keito_test_vanish()",
        "DROP SEQUENCE keito_test_tries",
    ],
    "sqlite": ["DROP TRIGGER keito_test_vanish"],
}


def _ddl(ws: Workspace, statements: dict[str, list[str]]) -> None:
    from sqlalchemy import text

    for sql in statements[ws.server.backend]:
        _behind_the_servers_back(ws, text(sql))


def _tries(ws: Workspace) -> int | None:
    """How often the trigger kept an entry out, on PostgreSQL (None on SQLite, where the create's
    rollback takes back whatever the trigger could have counted)."""
    from sqlalchemy import text

    if ws.server.backend != "postgres":
        return None
    tries: int = ws.run(
        lambda session, _actor: session.execute(text("SELECT last_value FROM keito_test_tries")).scalar_one()
    )
    return tries


def test_an_insert_that_never_lands_is_tried_three_times_then_refused_with_nothing_written(ws: Workspace) -> None:
    """ADR 0512: when the insert writes nothing, the create reads its context again and retries,
    three tries in all, then answers 409. No entry may be left behind."""
    api = ws.api()
    assert api.post("time_entries", json=_entry(ws)).status_code == 201  # the context is remembered
    _ddl(ws, _VANISH)
    try:
        refused = api.post("time_entries", json=_entry(ws, notes="vanish"))
        tries = _tries(ws)
        landed = api.post("time_entries", json=_entry(ws, notes="lands"))
    finally:
        _ddl(ws, _UNVANISH)
    assert refused.status_code == 409, refused.text
    assert "kept changing" in refused.json()["error_description"]
    assert landed.status_code == 201, landed.text
    assert _entries(ws) == 2
    assert tries == (3 if ws.server.backend == "postgres" else None)


_DEADLOCK = [
    "CREATE FUNCTION keito_test_deadlock() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN RAISE EXCEPTION 'deadlock detected (test)' USING ERRCODE = 'deadlock_detected'; END $$",
    "CREATE TRIGGER keito_test_deadlock BEFORE INSERT ON time_entries FOR EACH ROW"
    " WHEN (NEW.notes = 'deadlock') EXECUTE FUNCTION keito_test_deadlock()",
]
_UNDEADLOCK = ["DROP TRIGGER keito_test_deadlock ON time_entries", "DROP FUNCTION keito_test_deadlock()"]


def test_a_create_the_database_undoes_to_break_a_deadlock_is_a_503_to_retry_with_nothing_written(
    ws: Workspace,
) -> None:
    """ADR 0515: two writes to one workspace's projects, tasks or assignments can now deadlock on
    its accounts row, and PostgreSQL then undoes one of them. That request is a 503 with
    Retry-After (the SDKs retry it), not a 500. The database's own error, raised by a trigger."""
    if ws.server.backend != "postgres":
        pytest.skip("SQLite has no deadlock to break: its writers take turns (ADR 0501)")
    from sqlalchemy import text

    api = ws.api()
    for sql in _DEADLOCK:
        _behind_the_servers_back(ws, text(sql))
    try:
        undone = [
            api.post("time_entries", json=_entry(ws, notes="deadlock")),
            ws.api(dialect="v1").post("time-entries", json=_entry(ws, notes="deadlock")),
        ]
    finally:
        for sql in _UNDEADLOCK:
            _behind_the_servers_back(ws, text(sql))
    for r in undone:
        assert r.status_code == 503 and r.headers["retry-after"] == "1", r.text
        assert "nothing was saved" in r.text
    assert _entries(ws) == 0
    assert api.post("time_entries", json=_entry(ws, notes="deadlock")).status_code == 201  # the retry

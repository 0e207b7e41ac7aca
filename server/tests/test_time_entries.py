"""Time entries through both dialects against a real server (decisions §1 and §3)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.contract import assert_matches
from tests.support.live import Workspace

QUICKSTART_SESSION = "550e8400-e29b-41d4-a716-446655440000"


def quickstart_body(ws: Workspace) -> dict[str, object]:
    return {
        "project_id": ws.project_id,
        "task_id": ws.task_id,
        "spent_date": "2026-03-06",
        "hours": 1.5,
        "notes": "Implemented OAuth flow",
        "source": "agent",
        "metadata": {
            "agent_id": "my-bot-01",
            "agent_type": "claude-code",
            "session_id": QUICKSTART_SESSION,
            "model": "claude-opus-4-6",
        },
    }


def test_quickstart_v1_time_entry(ws: Workspace) -> None:
    _, key = ws.add_user("my-bot-01", user_type="agent")
    r = ws.api(key, dialect="v1").post("time-entries", json=quickstart_body(ws))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith("te_")
    assert body["source"] == "agent"
    assert body["metadata"] == quickstart_body(ws)["metadata"]
    assert body["hours"] == 1.5
    assert body["is_billable"] is True
    assert "billable" not in body


def test_v2_create_matches_contract(ws: Workspace) -> None:
    api = ws.api()
    r = api.post("time_entries", json=quickstart_body(ws))
    assert r.status_code == 201, r.text
    assert r.headers["X-Keito-API-Version"] == "2"
    assert_matches("createTimeEntry", r)
    listing = api.get("time_entries", params={"session_id": QUICKSTART_SESSION})
    assert listing.status_code == 200
    assert_matches("listTimeEntries", listing)
    assert [e["id"] for e in listing.json()["time_entries"]] == [r.json()["id"]]


def test_one_running_timer_and_replace(ws: Workspace) -> None:
    api = ws.api()
    start = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": _today(api), "is_running": True}
    first = api.post("time_entries", json=start)
    assert first.status_code == 201, first.text
    second = api.post("time_entries", json=start)
    assert second.status_code == 409
    assert second.json()["code"] == "timer_already_running"
    third = api.post("time_entries", json={**start, "replace_running": True})
    assert third.status_code == 201, third.text
    old = api.get(f"time_entries/{first.json()['id']}").json()
    assert old["is_running"] is False
    running = api.get("time_entries", params={"is_running": "true"}).json()["time_entries"]
    assert [e["id"] for e in running] == [third.json()["id"]]
    stopped = api.patch(f"time_entries/{third.json()['id']}/stop")
    assert stopped.status_code == 200 and stopped.json()["is_running"] is False
    assert_matches("stopTimeEntry", stopped)
    again = api.patch(f"time_entries/{third.json()['id']}/stop")
    assert again.status_code == 409 and again.json()["code"] == "timer_not_running"


def test_idempotency_key_makes_one_row(ws: Workspace) -> None:
    api = ws.api()
    key = str(uuid.uuid4())
    body = quickstart_body(ws)
    body["metadata"] = {"session_id": key}
    r1 = api.post("time_entries", json=body, headers={"Idempotency-Key": key})
    r2 = api.post("time_entries", json=body, headers={"Idempotency-Key": key})
    assert r1.status_code == r2.status_code == 201
    assert r1.json()["id"] == r2.json()["id"]
    assert r2.headers.get("Idempotent-Replayed") == "true"
    listing = api.get("time_entries", params={"session_id": key}).json()
    assert listing["total_entries"] == 1
    other = api.post("time_entries", json={**body, "hours": 2}, headers={"Idempotency-Key": key})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def _today(api: object) -> str:
    from datetime import date

    return date.today().isoformat()


def test_every_create_records_its_creator_on_the_entry_and_a_deletion_keeps_that_record(ws: Workspace) -> None:
    """ADR 0519: a create writes its entry and nothing else; the entry says who created it (the
    person, or the administrator who logged it for them) and a refused one leaves no row. Once
    the entry is deleted, its deletion's audit row keeps that record."""
    bot_id, key = ws.add_user("audit-bot", user_type="agent")
    v2, v1 = ws.api(key), ws.api(key, dialect="v1")
    first = v2.post("time_entries", json=quickstart_body(ws)).json()
    created = [first["id"], v1.post("time-entries", json=quickstart_body(ws)).json()["id"]]
    start = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": _today(v2), "is_running": True}
    created.append(v2.post("time_entries", json=start).json()["id"])
    refused = v2.post("time_entries", json=start)
    assert refused.status_code == 409
    for_bot = ws.api().post("time_entries", json={**quickstart_body(ws), "user_id": bot_id})
    assert for_bot.status_code == 201, for_bot.text

    def written(session: Any, actor: Any) -> tuple[list[tuple[Any, ...]], int]:
        from keito_server.db.models import AuditEvent, TimeEntry
        from sqlalchemy import func, select

        entries = select(TimeEntry.id, TimeEntry.user_id, TimeEntry.created_by_id, TimeEntry.source)
        audits = select(func.count()).where(
            AuditEvent.account_id == ws.account_id, AuditEvent.action.startswith("time_entry.")
        )
        rows = session.execute(entries.where(TimeEntry.account_id == ws.account_id))
        return [tuple(r) for r in rows], int(session.scalar(audits))

    sources = ["agent", "agent", "api"]  # the quickstart body says agent; the timer start says nothing
    expected = [(entry_id, bot_id, bot_id, source) for entry_id, source in zip(created, sources, strict=True)]
    expected.append((for_bot.json()["id"], bot_id, ws.admin_id, "agent"))
    entries, audits = ws.run(written)
    assert sorted(entries) == sorted(expected)
    assert audits == 0

    assert v2.delete(f"time_entries/{created[0]}").status_code == 204

    def deletion(session: Any, actor: Any) -> tuple[Any, ...]:
        from keito_server.db.models import AuditEvent
        from sqlalchemy import select

        q = select(AuditEvent.actor_id, AuditEvent.changes).where(
            AuditEvent.subject_id == created[0], AuditEvent.action == "time_entry.deleted"
        )
        return tuple(session.execute(q).one())

    actor_id, changes = ws.run(deletion)
    assert actor_id == bot_id
    assert changes["created_by_id"] == bot_id and changes["source"] == "agent"
    # The entry's own creation time (the wire shows it to the second, in UTC).
    assert datetime.fromisoformat(changes["created_at"]).replace(microsecond=0) == datetime.fromisoformat(
        first["created_at"].replace("Z", "+00:00")
    )


def _wire(trace: Path) -> tuple[list[str], set[str]]:
    """From libpq's trace (one tab-separated line per protocol message, F from us, B from the
    server; a statement's SQL spans lines of its own): the statements and queries we sent
    ("Bind" per statement, "Query" for BEGIN or COMMIT), and every transaction status the server
    reported ("I": idle, outside any transaction). A statement prepared through libpq (ADR 0516)
    adds one more report, the first time it runs on a connection."""
    messages = [m for m in (line.split("\t") for line in trace.read_text().splitlines()) if len(m) > 3]
    sent = [m[3] for m in messages if m[1] == "F" and m[3] in ("Bind", "Query")]
    return sent, {m[4].strip() for m in messages if m[1] == "B" and m[3] == "ReadyForQuery"}


def _pg_actor(db: Any, ws: Workspace) -> Any:
    from keito_server.db.models import Account, User
    from keito_server.services.context import Actor

    with db.session() as s:
        return Actor(account=s.get(Account, ws.account_id), user=s.get(User, ws.admin_id))


def test_a_create_on_postgres_runs_in_autocommit_and_hands_back_a_transactional_connection(
    ws: Workspace, tmp_path: Path
) -> None:
    """ADR 0507: a PostgreSQL create that needs no transaction runs in autocommit. The pooled
    connection must go back to transactions afterwards, or a later multi-statement write on it
    could be left half done."""
    if ws.server.backend != "postgres":
        pytest.skip("only PostgreSQL creates run in autocommit; on SQLite they run in a write transaction")
    from keito_server.db.engine import Database
    from keito_server.services import time_entries
    from psycopg.pq import TransactionStatus
    from sqlalchemy import text

    db = Database(ws.server.database_url, pool_size=1)  # one connection, used by both sessions
    trace = tmp_path / "libpq.trace"
    try:
        actor = _pg_actor(db, ws)
        body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": date.today(), "hours": 1}
        with db.session() as s, trace.open("w") as out:
            pgconn = s.connection().connection.driver_connection.pgconn
            s.commit()  # the create starts on a fresh session, as a request's does
            pgconn.trace(out.fileno())
            time_entries.create_entry(s, actor, body)
            pgconn.untrace()
        # The context read, then the entry: no BEGIN or COMMIT.
        assert _wire(trace) == (["Bind", "Bind"], {"I"})
        with db.session() as s:
            s.execute(text("SELECT 1"))
            driver = s.connection().connection.driver_connection
            assert driver.autocommit is False
            assert driver.info.transaction_status is TransactionStatus.INTRANS
    finally:
        db.dispose()


def test_creates_on_a_lane_thread_run_in_autocommit_on_the_connection_the_thread_holds(
    ws: Workspace, tmp_path: Path
) -> None:
    """ADR 0509: the direct lane's sessions hand a create their thread's own autocommit
    connection, the same one from one request to the next; a timer start adds its check for a
    running timer, still outside any transaction, and a refused one writes nothing. A create
    after the first takes its context from the first's (ADR 0512)."""
    if ws.server.backend != "postgres":
        pytest.skip("SQLite runs every create in a write transaction; no connection is held for it")
    from keito_server.db.engine import HELD_CONNECTION, Database
    from keito_server.domain.errors import Conflict
    from keito_server.domain.timers import local_today
    from keito_server.services import time_entries

    db = Database(ws.server.database_url, statement_pool_size=1)
    trace = tmp_path / "libpq.trace"
    try:
        actor = _pg_actor(db, ws)
        today = local_today(actor.account.timezone)  # a timer starts on the workspace's today
        body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": today}
        time_entries._REMEMBERED.clear()  # the first create reads its context (ADR 0512)
        with db.lane_session() as first:
            held = first.info[HELD_CONNECTION]
            pgconn = held.connection.driver_connection.pgconn
            with trace.open("w") as out:
                pgconn.trace(out.fileno())
                time_entries.create_entry(first, actor, {**body, "hours": 1})
                time_entries.create_entry(first, actor, {**body, "is_running": True})
                pgconn.untrace()
        # The context read and the insert, then (the context remembered) the running-timer check
        # and the insert.
        assert _wire(trace) == (["Bind"] * 4, {"I"})
        with db.lane_session() as second, trace.open("w") as out:
            assert second.info[HELD_CONNECTION] is held
            pgconn.trace(out.fileno())
            with pytest.raises(Conflict):
                time_entries.create_entry(second, actor, {**body, "is_running": True})
            pgconn.untrace()
        assert _wire(trace) == (["Bind"], {"I"})  # the check alone; no context read, no insert
    finally:
        db.dispose()

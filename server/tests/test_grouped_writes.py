"""Group writes (db/grouped.py, ADR 0521), on a real PostgreSQL database, where the server uses
them: the parked writes of a group run as one statement (one transaction, so one ``xmin`` for
all their rows), each call gets its own rows or its own error, and a group whose statement
fails runs each write alone. Then the time entry create, grouped as a lane thread groups it:
every create answers as it would have alone, a create whose remembered context went stale is
read again and written, and a timer start is never grouped."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from keito_server.db import grouped
from keito_server.db.engine import HELD_CONNECTION, Database
from keito_server.db.models import Account, User
from keito_server.domain import errors
from keito_server.services import idempotency, time_entries
from keito_server.services.context import Actor
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from conftest import _PG, IN_CI
from tests.support.live import LiveServer, Workspace, create_pg_database, drop_pg_database, make_workspace

pytestmark = pytest.mark.skipif(
    not _PG and not IN_CI, reason="group writes run on PostgreSQL only; none answers on 127.0.0.1:5432"
)


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


# ── the mechanism, with a write of its own ────────────────────────────────────────────────


class _Notes:
    """A groupable write into ``notes``: ``one`` and ``many`` are real statements; ``runs``
    records how many rows each statement carried."""

    def __init__(self) -> None:
        self.runs: list[int] = []

    def one(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        self.runs.append(1)
        return [tuple(r) for r in conn.execute(text("INSERT INTO notes VALUES (:id, :body) RETURNING id"), params)]

    def many(self, conn: Connection, params: Sequence[dict[str, Any]]) -> list[list[tuple[Any, ...]]]:
        self.runs.append(len(params))
        rows = ", ".join(f"(:id_{i}, :body_{i})" for i in range(len(params)))
        values = {f"{k}_{i}": v for i, p in enumerate(params) for k, v in p.items()}
        written = {r[0] for r in conn.execute(text(f"INSERT INTO notes VALUES {rows} RETURNING id"), values)}
        return [[(p["id"],)] if p["id"] in written else [] for p in params]


@pytest.fixture(scope="module")
def notes_db() -> Iterator[Database]:
    url = create_pg_database()
    db = Database(_psycopg(url))
    try:
        with db.write_engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR NOT NULL)"))
        yield db
    finally:
        db.dispose()
        drop_pg_database(url)


@pytest.fixture
def conn(notes_db: Database) -> Iterator[Connection]:
    with notes_db.write_engine.connect() as c:
        c.execute(text("DELETE FROM notes"))
        c.commit()
        yield c.execution_options(isolation_level="AUTOCOMMIT")


def _writer(notes: _Notes, conn: Connection, *ids: int) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    def write() -> list[Any]:
        return [grouped.submit(notes, conn, {"id": i, "body": f"note {i}"}) for i in ids]

    return write, ()


def _transactions(conn: Connection, ids: Sequence[int]) -> int:
    """How many transactions wrote these rows."""
    found = conn.execute(text("SELECT count(DISTINCT xmin::text) FROM notes WHERE id = ANY(:ids)"), {"ids": list(ids)})
    return int(found.scalar_one())


def test_the_writes_of_a_group_run_as_one_statement_and_each_call_gets_its_own_rows(conn: Connection) -> None:
    notes = _Notes()
    outcomes = grouped.run_grouped([_writer(notes, conn, i) for i in (1, 2, 3, 4)])
    assert outcomes == [([[(i,)]], None) for i in (1, 2, 3, 4)]
    assert notes.runs == [4]
    assert _transactions(conn, [1, 2, 3, 4]) == 1


def test_outside_a_group_a_write_runs_at_once_and_the_slot_is_0(conn: Connection) -> None:
    notes = _Notes()
    assert grouped.submit(notes, conn, {"id": 7, "body": "alone"}) == [(7,)]
    assert notes.runs == [1]
    assert grouped.slot() == 0
    one = grouped.run_grouped([_writer(notes, conn, 8)])  # a group of one is a plain call
    assert one == [([[(8,)]], None)] and notes.runs == [1, 1]


def test_a_call_that_fails_before_its_write_leaves_the_others_grouped(conn: Connection) -> None:
    notes = _Notes()

    def fails() -> None:
        raise ValueError("bad input")

    outcomes = grouped.run_grouped([_writer(notes, conn, 1), (fails, ()), _writer(notes, conn, 2)])
    assert outcomes[0] == ([[(1,)]], None) and outcomes[2] == ([[(2,)]], None)
    result, error = outcomes[1]
    assert result is None and isinstance(error, ValueError)
    assert notes.runs == [2]


def test_a_group_whose_statement_fails_runs_each_write_alone_and_only_the_bad_one_fails(conn: Connection) -> None:
    notes = _Notes()
    conn.execute(text("INSERT INTO notes VALUES (2, 'already here')"))
    outcomes = grouped.run_grouped([_writer(notes, conn, i) for i in (1, 2, 3)])
    assert notes.runs == [3, 1, 1, 1]  # the group's statement failed and wrote nothing
    assert outcomes[0] == ([[(1,)]], None) and outcomes[2] == ([[(3,)]], None)
    result, error = outcomes[1]
    assert result is None and isinstance(error, IntegrityError)  # raised inside the call, at its write
    assert conn.execute(text("SELECT id, body FROM notes ORDER BY id")).all() == [
        (1, "note 1"),
        (2, "already here"),
        (3, "note 3"),
    ]


def test_calls_that_write_twice_are_grouped_again_for_their_second_writes(conn: Connection) -> None:
    notes = _Notes()
    outcomes = grouped.run_grouped([_writer(notes, conn, i, i + 10) for i in (1, 2, 3)])
    assert outcomes == [([[(i,)], [(i + 10,)]], None) for i in (1, 2, 3)]
    assert notes.runs == [3, 3]
    assert _transactions(conn, [1, 2, 3]) == 1 and _transactions(conn, [11, 12, 13]) == 1


def test_each_call_of_a_group_has_its_own_slot_and_lane_session_on_the_threads_connection(
    notes_db: Database,
) -> None:
    seen: list[tuple[int, Any, Any]] = []

    def look() -> None:
        session = notes_db.lane_session()
        seen.append((grouped.slot(), session, session.info[HELD_CONNECTION]))
        notes_db.end_lane_session(session)

    grouped.run_grouped([(look, ()) for _ in range(3)])
    assert [slot for slot, _, _ in seen] == [0, 1, 2]
    assert len({id(session) for _, session, _ in seen}) == 3
    assert len({id(held) for _, _, held in seen}) == 1  # one connection per thread, shared by its group
    look()  # outside a group: slot 0's session again
    assert seen[3][1] is seen[0][1]


# ── the time entry create, grouped ────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def pg_server() -> Iterator[LiveServer]:
    # The auth cache on, as in production (the suite's other servers look every key up afresh).
    live = LiveServer(backend="postgres", env_extra={"KEITO_AUTH_CACHE_SECONDS": "5"}).start()
    yield live
    live.cleanup()


@pytest.fixture
def pg_ws(pg_server: LiveServer) -> Workspace:
    return make_workspace(pg_server)


@pytest.fixture
def lane_db(pg_server: LiveServer) -> Iterator[Database]:
    db = Database(_psycopg(pg_server.database_url))
    yield db
    db.dispose()


def _admin_actor(db: Database, ws: Workspace) -> Actor:
    """The administrator as the API's auth cache holds an actor: loaded, then detached."""
    with db.session() as s:
        account = s.get(Account, ws.account_id)
        admin = s.get(User, ws.admin_id)
        assert account is not None and admin is not None
        actor = Actor(account=account, user=admin)
        _ = (actor.account_id, actor.user_id, actor.rules, actor.person, actor.is_admin)
    return actor


def _create(db: Database, actor: Actor, data: dict[str, Any]) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """A create as the direct lane runs it: on the thread's lane session."""

    def create() -> Any:
        session = db.lane_session()
        try:
            return time_entries.create_entry(session, actor, dict(data))
        finally:
            db.end_lane_session(session)

    return create, ()


def _entry(ws: Workspace, notes: str, **fields: Any) -> dict[str, Any]:
    return {
        "project_id": ws.project_id,
        "task_id": ws.task_id,
        "spent_date": date(2026, 12, 1),
        "hours": Decimal("1.5"),
        "notes": notes,
        **fields,
    }


def _entry_transactions(db: Database, ids: Sequence[str]) -> int:
    with db.write_engine.connect() as c:
        found = c.execute(
            text("SELECT count(DISTINCT xmin::text) FROM time_entries WHERE id = ANY(:ids)"), {"ids": ids}
        )
        return int(found.scalar_one())


def test_creates_served_together_share_one_insert_and_each_answers_as_alone(
    pg_ws: Workspace, lane_db: Database
) -> None:
    actor = _admin_actor(lane_db, pg_ws)
    calls = [_create(lane_db, actor, _entry(pg_ws, f"grouped {i}", metadata={"n": i})) for i in range(4)]
    outcomes = grouped.run_grouped(calls)
    assert all(error is None for _, error in outcomes), outcomes
    views = [view for view, _ in outcomes]
    assert [v.entry.notes for v in views] == [f"grouped {i}" for i in range(4)]
    assert len({v.entry.id for v in views}) == 4
    assert _entry_transactions(lane_db, [v.entry.id for v in views]) == 1
    api = pg_ws.api()
    for i, view in enumerate(views):  # what the API reads back is what each create answered
        got = api.get(f"time_entries/{view.entry.id}").json()
        assert got["notes"] == f"grouped {i}" and got["hours"] == 1.5 and got["metadata"] == {"n": i}
        assert got["project"]["id"] == pg_ws.project_id and got["task"]["id"] == pg_ws.task_id
        assert got["billable_rate"] == 150.0


def test_creates_whose_sessions_read_their_actor_are_grouped_too(pg_ws: Workspace, lane_db: Database) -> None:
    """On an auth cache miss the lane session reads the actor and is left in a (read-only)
    transaction on a pooled connection: the create ends it before it parks, and is grouped."""

    def create(i: int) -> Any:
        session = lane_db.lane_session()
        try:
            account, admin = session.get(Account, pg_ws.account_id), session.get(User, pg_ws.admin_id)
            assert account is not None and admin is not None and session.in_transaction()
            return time_entries.create_entry(session, Actor(account=account, user=admin), _entry(pg_ws, f"read {i}"))
        finally:
            lane_db.end_lane_session(session)

    outcomes = grouped.run_grouped([(create, (i,)) for i in range(3)])
    assert all(error is None for _, error in outcomes), outcomes
    views = [view for view, _ in outcomes]
    assert [v.entry.notes for v in views] == ["read 0", "read 1", "read 2"]
    assert _entry_transactions(lane_db, [v.entry.id for v in views]) == 1


def test_a_grouped_create_whose_remembered_context_went_stale_is_read_again_and_written(
    pg_ws: Workspace, lane_db: Database
) -> None:
    actor = _admin_actor(lane_db, pg_ws)
    first, _ = grouped.run_grouped([_create(lane_db, actor, _entry(pg_ws, "remembers the context"))])[0]
    assert first.project_name == "Acme Website"
    renamed = pg_ws.api().patch(f"projects/{pg_ws.project_id}", json={"name": "Acme Web Shop"})
    assert renamed.status_code == 200  # the workspace's context version moves on (ADR 0515)
    outcomes = grouped.run_grouped([_create(lane_db, actor, _entry(pg_ws, f"after {i}")) for i in range(3)])
    assert all(error is None for _, error in outcomes), outcomes
    views = [view for view, _ in outcomes]
    assert [v.project_name for v in views] == ["Acme Web Shop"] * 3  # read again, not the stale guess
    assert _entry_transactions(lane_db, [v.entry.id for v in views]) == 1  # written together on the second try


def test_a_bad_create_in_a_group_gets_its_own_error_and_the_others_are_written(
    pg_ws: Workspace, lane_db: Database
) -> None:
    actor = _admin_actor(lane_db, pg_ws)
    calls = [
        _create(lane_db, actor, _entry(pg_ws, "good 1")),
        _create(lane_db, actor, _entry(pg_ws, "nowhere", project_id="prj_missing")),
        _create(lane_db, actor, _entry(pg_ws, "good 2")),
    ]
    outcomes = grouped.run_grouped(calls)
    assert isinstance(outcomes[1][1], errors.NotFound)
    good = [outcomes[0][0], outcomes[2][0]]
    assert [v.entry.notes for v in good] == ["good 1", "good 2"]
    assert _entry_transactions(lane_db, [v.entry.id for v in good]) == 1


def test_a_timer_start_in_a_group_is_written_alone(pg_ws: Workspace, lane_db: Database) -> None:
    actor = _admin_actor(lane_db, pg_ws)
    calls = [
        _create(lane_db, actor, _entry(pg_ws, "done 1")),
        _create(lane_db, actor, _entry(pg_ws, "timer", hours=None, is_running=True)),
        _create(lane_db, actor, _entry(pg_ws, "done 2")),
        _create(lane_db, actor, _entry(pg_ws, "second timer", hours=None, is_running=True)),
    ]
    outcomes = grouped.run_grouped(calls)
    done = [outcomes[0][0], outcomes[2][0]]
    timer = outcomes[1][0]
    assert timer.entry.is_running
    assert _entry_transactions(lane_db, [v.entry.id for v in done]) == 1
    assert _entry_transactions(lane_db, [done[0].entry.id, timer.entry.id]) == 2
    second, error = outcomes[3]  # one running timer per user, as ever
    assert second is None and isinstance(error, errors.Conflict) and error.code == "timer_already_running"


def test_many_concurrent_creates_through_the_server_each_get_their_own_entry(pg_ws: Workspace) -> None:
    """Through HTTP, 32 at a time: every create answers 201 with its own notes, and each id
    reads back as what its create answered."""
    api = pg_ws.api()

    def post(i: int) -> tuple[int, dict[str, Any]]:
        body = {"project_id": pg_ws.project_id, "task_id": pg_ws.task_id, "spent_date": "2026-12-01"}
        r = api.post("time_entries", json={**body, "hours": 0.25, "notes": f"parallel {i}"})
        return r.status_code, r.json()

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(post, range(160)))
    assert [status for status, _ in answers] == [201] * 160
    assert [body["notes"] for _, body in answers] == [f"parallel {i}" for i in range(160)]
    ids = {body["id"] for _, body in answers}
    assert len(ids) == 160
    listed = api.get("time_entries", params={"per_page": 2000}).json()["time_entries"]
    stored = {e["id"]: e["notes"] for e in listed}
    assert set(stored) == ids  # a fresh workspace: nothing else was written
    assert all(stored[body["id"]] == body["notes"] for _, body in answers)


# ── idempotency claims and answers, grouped ───────────────────────────────────────────────


def _claim(db: Database, owner: str, key: str, digest: str = "d" * 64) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    return (lambda: idempotency.claim(db, owner, key, digest, db.lane_connection())), ()


def _record_transactions(db: Database, ids: Sequence[int]) -> int:
    with db.write_engine.connect() as c:
        found = c.execute(
            text("SELECT count(DISTINCT xmin::text) FROM idempotency_records WHERE id = ANY(:ids)"), {"ids": list(ids)}
        )
        return int(found.scalar_one())


def test_the_claims_of_a_group_are_one_insert_and_their_answers_one_update(lane_db: Database) -> None:
    owner = uuid.uuid4().hex
    claims = [claim for claim, _ in grouped.run_grouped([_claim(lane_db, owner, f"k-{i}") for i in range(3)])]
    assert [c.outcome for c in claims] == ["proceed"] * 3
    ids = [c.record_id for c in claims]
    assert len(set(ids)) == 3 and all(isinstance(i, int) for i in ids)
    assert _record_transactions(lane_db, ids) == 1

    def complete(record_id: int, n: int) -> None:
        idempotency.complete(lane_db, record_id, 200 + n, f'{{"n": {n}}}', lane_db.lane_connection())

    grouped.run_grouped([(complete, (record_id, n)) for n, record_id in enumerate(ids)])
    assert _record_transactions(lane_db, ids) == 1  # the three answers: one statement too
    replays = [c for c, _ in grouped.run_grouped([_claim(lane_db, owner, f"k-{i}") for i in range(3)])]
    assert [(c.outcome, c.status_code, c.body) for c in replays] == [
        ("replay", 200, '{"n": 0}'),
        ("replay", 201, '{"n": 1}'),
        ("replay", 202, '{"n": 2}'),
    ]


def test_two_claims_of_one_key_in_a_group_let_exactly_one_proceed(lane_db: Database) -> None:
    owner = uuid.uuid4().hex
    outcomes = grouped.run_grouped(
        [_claim(lane_db, owner, "same"), _claim(lane_db, owner, "other"), _claim(lane_db, owner, "same")]
    )
    claims = [claim for claim, _ in outcomes]
    assert [c.outcome for c in claims] == ["proceed", "proceed", "in_progress"]
    mismatch = grouped.run_grouped([_claim(lane_db, owner, "other", "e" * 64), _claim(lane_db, owner, "new")])
    assert [c.outcome for c, _ in mismatch] == ["mismatch", "proceed"]


def test_concurrent_creates_with_idempotency_keys_make_one_entry_per_key(pg_ws: Workspace) -> None:
    """Through HTTP, 32 at a time, each of 40 keys sent three times: one entry per key, and
    every 201 for a key carries that entry (a retry that meets its key in progress is told 409)."""
    api = pg_ws.api()
    run = uuid.uuid4().hex[:8]

    def post(i: int) -> tuple[int, int, dict[str, Any]]:
        body = {"project_id": pg_ws.project_id, "task_id": pg_ws.task_id, "spent_date": "2026-12-02", "hours": 0.5}
        k = i % 40
        r = api.post("time_entries", json={**body, "notes": f"key {k}"}, headers={"Idempotency-Key": f"{run}-{k}"})
        return k, r.status_code, r.json()

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(post, range(120)))
    assert {status for _, status, _ in answers} <= {201, 409}
    created: dict[int, set[str]] = {}
    for k, status, body in answers:
        if status == 201:
            assert body["notes"] == f"key {k}"
            created.setdefault(k, set()).add(body["id"])
    assert all(len(ids) == 1 for ids in created.values())
    listed = api.get("time_entries", params={"per_page": 2000, "from": "2026-12-02", "to": "2026-12-02"}).json()
    stored = [e for e in listed["time_entries"] if e["notes"].startswith("key ")]
    assert len(stored) == 40 and len({e["notes"] for e in stored}) == 40  # one per key, whatever its answers
    assert all(next(iter(ids)) in {e["id"] for e in stored} for ids in created.values())

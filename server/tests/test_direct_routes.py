"""The direct lane (api/direct.py, ADR 0505, 0506) answers exactly as the FastAPI routes it stands
in for: the same app is built twice on one real SQLite database, once without the lane, and the
same requests, good and bad, get the same status, headers and body from both."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from keito_server.app import create_app
from keito_server.db.engine import Database
from keito_server.db.migrate import upgrade
from keito_server.services import demo
from keito_server.settings import Settings

VOLATILE = {"id", "created_at", "updated_at", "timer_started_at"}


@pytest.fixture(scope="module")
def apps() -> Iterator[tuple[TestClient, TestClient, dict[str, Any]]]:
    data_dir = Path(tempfile.mkdtemp(prefix="keito-direct-"))
    url = f"sqlite:///{data_dir / 'keito.db'}"
    upgrade(url)
    settings = Settings.from_env({"KEITO_DATA_DIR": str(data_dir), "KEITO_DATABASE_URL": url})
    seeded = demo.ensure_demo(settings)
    db = Database(url)
    direct, plain = create_app(settings, db=db), create_app(settings, db=db, direct=False)
    with TestClient(direct) as a, TestClient(plain) as b:
        yield a, b, seeded
    db.dispose()


def _cases(seeded: dict[str, Any]) -> list[tuple[str, dict[str, str], bytes]]:
    good = {"project_id": seeded["project_id"], "task_id": seeded["task_id"], "spent_date": seeded["today"]}
    v2 = {"Authorization": f"Bearer {seeded['api_key']}", "Keito-Account-Id": seeded["account_id"]}
    v1 = {"Authorization": f"Bearer {seeded['api_key']}"}
    bodies: list[Any] = [
        {**good, "hours": 1.5, "notes": "ok", "metadata": {"session_id": "s-1", "agent_id": "a-1"}},
        {**good, "hours": -1},
        {**good, "hours": 25},
        {**good, "hours": "many"},
        {**good, "spent_date": "2026-02-30", "hours": 1},
        {**good, "metadata": [1, 2], "hours": 1},
        {**good, "metadata": {"blob": "x" * 5000}, "hours": 1},
        {**good, "project_id": "prj_unknown", "hours": 1},
        {**good, "task_id": "tsk_unknown", "hours": 1},
        {**good, "source": "robot", "hours": 1},
        {"hours": 1},
        [1, 2],
        None,
        "text",
    ]
    fields = json.dumps(good)[1:-1].encode()
    # Read by json.loads, as FastAPI reads them, where orjson (the lane's first try) refuses
    # them or reads them otherwise: NaN, integers over 64 bits (orjson makes them floats; the
    # metadata is echoed back exactly), a float out of range, a lone surrogate; then a key given
    # twice, which both read as its last value.
    lenient = [
        b"{" + fields + b', "hours": NaN}',
        b"{" + fields + b', "hours": 100000000000000000000000}',
        b"{" + fields + b', "hours": 1, "metadata": {"tokens": 123456789012345678901234567}}',
        b"{" + fields + b', "hours": 1e400}',
        b"{" + fields + b', "hours": 1, "notes": "\\ud800"}',
        b"{" + fields + b', "hours": 30, "hours": 2}',
    ]
    raw = [json.dumps(b).encode() for b in bodies] + [b"", b"{", b'{"hours": 1,}'] + lenient
    cases = []
    for headers, path in ((v2, "/api/v2/time_entries"), (v1, "/v1/time-entries")):
        for body in raw:
            cases.append((path, {**headers, "Content-Type": "application/json"}, body))
    cases.append(("/api/v2/time_entries", {"Content-Type": "application/json"}, raw[0]))  # no key
    cases.append(("/api/v2/time_entries", {**v1, "Content-Type": "application/json"}, raw[0]))  # no account
    cases.append(("/api/v2/time_entries", {**v2, "Keito-Account-Id": "acc_other"}, raw[0]))
    # Which error wins when there are several: bad JSON before the key, the key before the fields.
    for body in (raw[1], b'{"hours": 1,}', b""):
        cases.append(("/api/v2/time_entries", {"Content-Type": "application/json"}, body))
        cases.append(("/v1/time-entries", {**v1, "Authorization": "Bearer kto_wrong"}, body))
    cases.append(("/v1/time-entries", {**v1, "Content-Type": "application/x-www-form-urlencoded"}, raw[0]))
    cases.append(("/v1/time-entries", v1, raw[0]))  # no Content-Type at all
    return cases


def _comparable(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _comparable(v) for k, v in body.items() if k not in VOLATILE}
    return body


def test_direct_and_fastapi_routes_answer_alike(apps: tuple[TestClient, TestClient, dict[str, Any]]) -> None:
    direct, plain, seeded = apps
    cases = _cases(seeded)
    statuses = set()
    for path, headers, body in cases:
        a = direct.post(path, headers=headers, content=body)
        b = plain.post(path, headers=headers, content=body)
        assert a.status_code == b.status_code, (path, body, a.text, b.text)
        assert _comparable(a.json()) == _comparable(b.json()), (path, body)
        assert a.headers["x-keito-api-version"] == b.headers["x-keito-api-version"]
        assert a.headers["content-type"] == b.headers["content-type"]
        assert set(a.headers) == set(b.headers), (path, body)
        statuses.add(a.status_code)
    assert {201, 400, 401, 404}.issubset(statuses)  # the cases reach every kind of answer


def test_a_repeated_header_is_read_as_its_first_value_on_both_routes(
    apps: tuple[TestClient, TestClient, dict[str, Any]],
) -> None:
    # As Starlette's Headers.get reads it: the API's layers share one dict of the request's
    # headers (api/headers.py), made so that the first value of a repeated name wins.
    direct, plain, seeded = apps
    good, wrong = f"Bearer {seeded['api_key']}", "Bearer kto_wrong"
    fields = {"project_id": seeded["project_id"], "task_id": seeded["task_id"], "spent_date": seeded["today"]}
    body = json.dumps({**fields, "hours": 1}).encode()
    for first, second, status in ((good, wrong, 201), (wrong, good, 401)):
        headers = [
            ("authorization", first),
            ("authorization", second),
            ("keito-account-id", seeded["account_id"]),
            ("content-type", "application/json"),
        ]
        for client in (direct, plain):
            answer = client.post("/api/v2/time_entries", headers=headers, content=body)
            assert answer.status_code == status, answer.text


def test_a_multipart_body_is_left_to_the_fastapi_route(apps: tuple[TestClient, TestClient, dict[str, Any]]) -> None:
    direct, _, seeded = apps
    headers = {"Authorization": f"Bearer {seeded['api_key']}", "Keito-Account-Id": seeded["account_id"]}
    answer = direct.post("/api/v2/time_entries", headers=headers, files={"file": ("a.txt", b"hello")})
    assert answer.status_code == 400 and answer.json()["code"] == "validation_error", answer.text


def test_with_an_idempotency_key_the_lane_answers_once_like_the_fastapi_route(
    apps: tuple[TestClient, TestClient, dict[str, Any]],
) -> None:
    """With a key the lane claims, answers and stores in one worker-thread call (errors are
    stored once rendered); the FastAPI route goes through the middleware's general path. Both
    must answer the first request alike and replay that very answer to the second."""
    direct, plain, seeded = apps
    replays, cases = 0, _cases(seeded)
    for i, (path, headers, body) in enumerate(cases):
        pairs = []
        for client, side in ((direct, "lane"), (plain, "route")):
            keyed = {**headers, "Idempotency-Key": f"parity-{i}-{side}"}  # one store: keys apart
            pairs.append(
                (client.post(path, headers=keyed, content=body), client.post(path, headers=keyed, content=body))
            )
        (a, a_again), (b, _) = pairs
        assert a.status_code == b.status_code, (path, body, a.text, b.text)
        assert _comparable(a.json()) == _comparable(b.json()), (path, body)
        for first, again in pairs:
            assert again.status_code == first.status_code and again.json() == first.json(), (path, body)
            assert again.headers.get("idempotent-replayed") == a_again.headers.get("idempotent-replayed")
        replays += a_again.headers.get("idempotent-replayed") == "true"
    # Every request that sends an API key (valid or not) is remembered; the others have no owner.
    assert replays == sum("Authorization" in headers for _, headers, _ in cases) > 30


def test_a_failure_in_the_api_layers_own_work_is_a_500_in_the_dialects_format_and_writes_nothing(
    tmp_path: Path,
) -> None:
    """ApiMiddleware is the outermost layer (ADR 0506), so nothing outside it would turn its own
    errors into the dialect's 500. A real one: the idempotency store's table is gone."""
    url = f"sqlite:///{tmp_path / 'keito.db'}"
    upgrade(url)
    settings = Settings.from_env({"KEITO_DATA_DIR": str(tmp_path), "KEITO_DATABASE_URL": url})
    seeded = demo.ensure_demo(settings)
    db = Database(url)
    with db.write_engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE idempotency_records")
    body = {"project_id": seeded["project_id"], "task_id": seeded["task_id"], "spent_date": seeded["today"], "hours": 1}
    headers = {"Authorization": f"Bearer {seeded['api_key']}", "Idempotency-Key": "k-1"}
    with TestClient(create_app(settings, db=db)) as client:
        v2 = client.post(
            "/api/v2/time_entries", json=body, headers={**headers, "Keito-Account-Id": seeded["account_id"]}
        )
        v1 = client.post("/v1/time-entries", json=body, headers=headers)
    assert v2.status_code == 500 and v2.json()["code"] == "internal_error", v2.text
    assert v2.headers["x-keito-api-version"] == "2"
    assert v1.status_code == 500 and v1.json()["error"]["code"] == "internal_error", v1.text
    with db.write_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM time_entries").scalar() == 0
    db.dispose()

"""Idempotency keys on POST (decisions §6): a retry replays the first answer, another body
with the same key is a 422, and nothing is written twice."""

from __future__ import annotations

import uuid

from tests.support.live import Workspace


def _body(ws: Workspace, notes: str = "Implemented OAuth flow") -> dict[str, object]:
    return {
        "project_id": ws.project_id,
        "task_id": ws.task_id,
        "spent_date": "2026-03-06",
        "hours": 1.5,
        "notes": notes,
    }


def _count(ws: Workspace) -> int:
    return int(ws.api().get("time_entries").json()["total_entries"])


def test_retry_replays_first_answer(ws: Workspace) -> None:
    api = ws.api()
    key = str(uuid.uuid4())
    first = api.post("time_entries", json=_body(ws), headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = api.post("time_entries", json=_body(ws), headers={"Idempotency-Key": key})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["X-Keito-API-Version"] == "2"
    assert _count(ws) == 1


def test_x_idempotency_key_header_and_v1(ws: Workspace) -> None:
    api = ws.api(dialect="v1")
    key = str(uuid.uuid4())
    first = api.post("time-entries", json=_body(ws), headers={"X-Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = api.post("time-entries", json=_body(ws), headers={"X-Idempotency-Key": key})
    assert again.json()["id"] == first.json()["id"]
    assert _count(ws) == 1


def test_same_key_other_body_is_422(ws: Workspace) -> None:
    key = str(uuid.uuid4())
    assert ws.api().post("time_entries", json=_body(ws), headers={"Idempotency-Key": key}).status_code == 201
    v2 = ws.api().post("time_entries", json=_body(ws, "other"), headers={"Idempotency-Key": key})
    assert v2.status_code == 422
    assert v2.json()["code"] == "idempotency_key_reused"
    v1 = ws.api(dialect="v1").post("time-entries", json=_body(ws, "other"), headers={"Idempotency-Key": key})
    # v1's path differs, so it is another request for this key too.
    assert v1.status_code == 422
    assert v1.json()["error"]["code"] == "idempotency_key_reused"
    assert _count(ws) == 1


def test_keys_are_per_api_key(ws: Workspace) -> None:
    """Two callers who happen to pick the same key do not see each other's answers."""
    _, other_key = ws.add_user("Second")
    key = "shared-key"
    a = ws.api().post("time_entries", json=_body(ws), headers={"Idempotency-Key": key})
    b = ws.api(other_key).post("time_entries", json=_body(ws), headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_failed_request_is_not_remembered(ws: Workspace) -> None:
    """A 4xx answer is replayed as well (it is the answer); a fixed body needs a new key."""
    key = str(uuid.uuid4())
    bad = {**_body(ws), "project_id": "prj_missing"}
    first = ws.api().post("time_entries", json=bad, headers={"Idempotency-Key": key})
    assert first.status_code == 404
    again = ws.api().post("time_entries", json=bad, headers={"Idempotency-Key": key})
    assert again.status_code == 404
    assert again.json() == first.json()
    assert _count(ws) == 0


def test_overlong_key_is_400(ws: Workspace) -> None:
    r = ws.api().post("time_entries", json=_body(ws), headers={"Idempotency-Key": "k" * 300})
    assert r.status_code == 400
    assert r.json()["code"] == "validation_error"
    assert _count(ws) == 0

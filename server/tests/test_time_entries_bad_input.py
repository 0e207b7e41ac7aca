"""Bad input gets a clear 4xx in the dialect's format with a stable code, and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.live import Workspace

OK = {"spent_date": "2026-03-06", "hours": 1.5, "notes": "x"}


# (case, body or raw text, status, code, field)
def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


CASES: list[tuple[str, Any, int, str, str | None]] = [
    ("malformed json", "{bad json", 400, "invalid_json", None),
    ("array body", "[1, 2]", 400, "validation_error", None),
    ("hours as text", {"hours": "abc"}, 400, "validation_error", "hours"),
    ("billable as text", {"billable": "yes"}, 400, "validation_error", "billable"),
    ("project id as number", {"project_id": 5}, 400, "validation_error", "project_id"),
    ("unknown project", {"project_id": "prj_nope"}, 404, "not_found", "project_id"),
    ("unknown task", {"task_id": "tsk_nope"}, 404, "not_found", "task_id"),
    ("negative hours", {"hours": -1}, 400, "validation_error", "hours"),
    ("hours over 24", {"hours": 24.5}, 400, "validation_error", "hours"),
    ("metadata over 4 KB", {"metadata": {"blob": "x" * 5000}}, 400, "metadata_too_large", "metadata"),
    ("metadata not an object", {"metadata": ["a"]}, 400, "validation_error", "metadata"),
    ("metadata a string", {"metadata": "agent"}, 400, "validation_error", "metadata"),
    # Python's JSON parser takes these; no response or JSONB column could carry them back.
    ("metadata NaN", {"metadata": {"score": float("nan")}}, 400, "validation_error", "metadata"),
    ("metadata Infinity", {"metadata": {"n": [1, float("-inf")]}}, 400, "validation_error", "metadata"),
    ("metadata integer past 64 bits", {"metadata": {"tokens": 2**64}}, 400, "validation_error", "metadata"),
    ("metadata NUL", {"metadata": {"note\u0000": "x"}}, 400, "validation_error", "metadata"),
    # Past what orjson writes (255 levels), and past what a Python walk through it could take.
    ("metadata nested 300 deep", {"metadata": _nested(300)}, 400, "validation_error", "metadata"),
    ("metadata nested 600 deep", {"metadata": _nested(600)}, 400, "validation_error", "metadata"),
    ("impossible date", {"spent_date": "2026-02-30"}, 400, "validation_error", "spent_date"),
    ("date in wrong format", {"spent_date": "06/03/2026"}, 400, "validation_error", "spent_date"),
    ("missing date", {"spent_date": None}, 400, "validation_error", "spent_date"),
    (
        "clock time out of range",
        {"hours": None, "started_time": "25:00", "ended_time": "26:00"},
        400,
        "validation_error",
        "started_time",
    ),
    ("unknown source", {"source": "robot"}, 400, "validation_error", "source"),
]


def _body(ws: Workspace, patch: Any, dialect: str = "v2") -> Any:
    if isinstance(patch, str):
        return patch
    body = {"project_id": ws.project_id, "task_id": ws.task_id, **OK}
    for key, value in patch.items():
        if key == "billable" and dialect == "v1":
            key = "is_billable"
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


PHRASES = {
    400: "bad request",
    401: "unauthorized",
    404: "not found",
    413: "request entity too large",
    422: "unprocessable entity",
}


def _error(dialect: str, r: Any) -> tuple[str, str, str | None]:
    body = r.json()
    if dialect == "v1":
        err = body["error"]
        assert set(err) == {"code", "message", "field"}
        return err["code"], err["message"], err["field"]
    assert body["error"] == PHRASES[r.status_code]
    return body["code"], body["error_description"], body.get("field")


@pytest.mark.parametrize("dialect", ["v1", "v2"])
@pytest.mark.parametrize(("case", "patch", "status", "code", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_create_is_refused_cleanly(
    ws: Workspace, dialect: str, case: str, patch: Any, status: int, code: str, field: str | None
) -> None:
    api = ws.api(dialect=dialect)
    path = "time-entries" if dialect == "v1" else "time_entries"
    body = _body(ws, patch, dialect)
    # json.dumps writes NaN and Infinity as Python's parser reads them (httpx's json= refuses).
    text = body if isinstance(body, str) else json.dumps(body)
    r = api.post(path, content=text, headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    got_code, message, got_field = _error(dialect, r)
    assert got_code == code
    assert got_field == ("is_billable" if dialect == "v1" and field == "billable" else field)
    assert (message and message[0].isupper()) or message[0].isalpha(), message
    assert "Traceback" not in message
    listing = api.get(path).json()
    assert (listing["data"] if dialect == "v1" else listing["time_entries"]) == []


def test_body_over_one_megabyte_is_refused(ws: Workspace) -> None:
    body = _body(ws, {"notes": "x" * 1_100_000})
    r = ws.api().post("time_entries", json=body)
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    assert ws.api().get("time_entries").json()["total_entries"] == 0


@pytest.mark.parametrize("dialect", ["v1", "v2"])
def test_authentication_errors(ws: Workspace, dialect: str) -> None:
    from tests.support.live import Api

    path = "time-entries" if dialect == "v1" else "time_entries"
    bad = Api(ws.server, "kto_not_a_real_key", ws.account_id, dialect)
    r = bad.get(path)
    assert r.status_code == 401
    assert _error(dialect, r)[0] == "authentication_error"
    import httpx

    r2 = httpx.get(f"{ws.server.url}{bad.prefix}/{path}")
    assert r2.status_code == 401


def test_v2_key_and_account_must_match(ws: Workspace, other_ws: Workspace) -> None:
    from tests.support.live import Api

    r = Api(ws.server, ws.admin_key, other_ws.account_id).get("time_entries")
    assert r.status_code == 401 and r.json()["code"] == "authentication_error"
    v1 = Api(ws.server, ws.admin_key, None, "v1")
    v1.http.headers["Keito-Account-Id"] = other_ws.account_id
    assert v1.get("time-entries").status_code == 401


def test_another_workspaces_entry_is_not_found(ws: Workspace, other_ws: Workspace) -> None:
    theirs = other_ws.api().post("time_entries", json=_body(other_ws, {})).json()
    api = ws.api()
    for r in (
        api.get(f"time_entries/{theirs['id']}"),
        api.patch(f"time_entries/{theirs['id']}", json={"notes": "mine now"}),
        api.patch(f"time_entries/{theirs['id']}/stop"),
        api.patch(f"time_entries/{theirs['id']}/restart"),
        api.delete(f"time_entries/{theirs['id']}"),
    ):
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert other_ws.api().get(f"time_entries/{theirs['id']}").json()["notes"] == "x"
    cross = api.post("time_entries", json={**_body(ws, {}), "project_id": other_ws.project_id})
    assert cross.status_code == 404 and cross.json()["field"] == "project_id"


def test_metadata_numbers_at_the_edges_of_64_bits_come_back_exactly(ws: Workspace) -> None:
    """The largest and smallest integers metadata may hold, and a float, are stored and served
    unchanged on both databases, by the create and by the listing."""
    metadata = {"unsigned": 2**64 - 1, "signed": -(2**63), "ratio": 0.1, "nested": [{"n": 2**63}]}
    api = ws.api()
    created = api.post("time_entries", json=_body(ws, {"metadata": metadata}))
    assert created.status_code == 201, created.text
    assert created.json()["metadata"] == metadata
    assert [e["metadata"] for e in api.get("time_entries").json()["time_entries"]] == [metadata]

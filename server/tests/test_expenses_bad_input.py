"""Every bad expense request is a 4xx in the dialect's format, with a stable code and a field,
and writes no row."""

from __future__ import annotations

import json
from functools import reduce
from typing import Any

import pytest

from tests.support.live import Workspace


def expense_rows(ws: Workspace) -> int:
    from keito_server.db.models import Expense
    from sqlalchemy import func, select

    return int(
        ws.run(
            lambda s, a: s.scalar(select(func.count()).select_from(Expense).where(Expense.account_id == a.account_id))
        )
    )


def base(ws: Workspace) -> dict[str, Any]:
    return {"project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "spent_date": "2026-03-06"}


# (change to the body, status, code, field)
CASES: list[tuple[dict[str, Any], int, str, str | None]] = [
    ({}, 400, "validation_error", "total_cost"),  # neither total_cost nor units
    ({"units": 0}, 400, "validation_error", "units"),
    ({"units": -3}, 400, "validation_error", "units"),
    ({"units": 1.5}, 400, "validation_error", "units"),
    ({"units": "45"}, 400, "validation_error", "units"),
    ({"units": True}, 400, "validation_error", "units"),
    ({"total_cost": -0.01}, 400, "validation_error", "total_cost"),
    ({"total_cost": "a lot"}, 400, "validation_error", "total_cost"),
    ({"total_cost": 1, "spent_date": "2026-02-30"}, 400, "validation_error", "spent_date"),
    ({"total_cost": 1, "spent_date": "06/03/2026"}, 400, "validation_error", "spent_date"),
    ({"total_cost": 1, "spent_date": None}, 400, "validation_error", "spent_date"),
    ({"total_cost": 1, "billable": "yes"}, 400, "validation_error", "billable"),
    ({"total_cost": 1, "notes": 5}, 400, "validation_error", "notes"),
    ({"total_cost": 1, "source": "calendar"}, 400, "validation_error", "source"),
    ({"total_cost": 1, "metadata": "not an object"}, 400, "validation_error", "metadata"),
    ({"total_cost": 1, "metadata": ["a"]}, 400, "validation_error", "metadata"),
    ({"total_cost": 1, "metadata": {"blob": "x" * 5000}}, 400, "metadata_too_large", "metadata"),
    ({"total_cost": 1, "metadata": {"score": float("nan")}}, 400, "validation_error", "metadata"),
    ({"total_cost": 1, "metadata": {"deep": {"n": float("inf")}}}, 400, "validation_error", "metadata"),
    ({"total_cost": 1, "metadata": {"id": -(2**63) - 1}}, 400, "validation_error", "metadata"),
    (
        {"total_cost": 1, "metadata": reduce(lambda inner, _: {"a": inner}, range(300), {})},
        400,
        "validation_error",
        "metadata",
    ),
    ({"total_cost": 1, "project_id": "prj_nope"}, 404, "not_found", "project_id"),
    ({"total_cost": 1, "expense_category_id": "cat_nope"}, 404, "not_found", "expense_category_id"),
    ({"total_cost": 1, "user_id": "usr_nope"}, 404, "not_found", "user_id"),
    ({"units": 5, "metadata": {"model": "claude-opus-4-6", "input_tokens": -1}}, 400, "validation_error", None),
    ({"units": 5, "metadata": {"model": "claude-opus-4-6", "input_tokens": "many"}}, 400, "validation_error", None),
    ({"units": 5, "metadata": {"model": "claude-opus-4-6", "input_tokens": 10**400}}, 400, "validation_error", None),
    ({"total_cost": 10**13}, 400, "validation_error", "total_cost"),
    ({"units": 10**10}, 400, "validation_error", "units"),
]


@pytest.mark.parametrize("dialect", ["v2", "v1"])
def test_bad_bodies_write_nothing(ws: Workspace, dialect: str) -> None:
    api = ws.api(dialect=dialect)
    before = expense_rows(ws)
    for change, status, code, field in CASES:
        body = {**base(ws), **change}
        if dialect == "v1" and "billable" in body:
            body["is_billable"] = body.pop("billable")
            field = "is_billable"
        # json.dumps writes NaN and Infinity as Python's parser reads them (httpx's json= refuses).
        r = api.post("expenses", content=json.dumps(body), headers={"Content-Type": "application/json"})
        assert r.status_code == status, (change, r.text)
        if dialect == "v2":
            err = r.json()
            assert err["code"] == code, (change, err)
            assert err["error_description"], change
        else:
            err = r.json()["error"]
            assert err["code"] == code, (change, err)
            assert err["message"], change
        if field is not None:
            assert err["field"] == field, (change, err)
        elif code == "validation_error" and "metadata" in change:
            assert str(err["field"]).startswith("metadata"), (change, err)
    assert expense_rows(ws) == before


def test_malformed_json_and_wrong_shapes(ws: Workspace) -> None:
    before = expense_rows(ws)
    for dialect in ("v2", "v1"):
        api = ws.api(dialect=dialect)
        for raw in (b'{"project_id": ', b"[1, 2]", b'"text"', b"null"):
            r = api.post("expenses", content=raw, headers={"Content-Type": "application/json"})
            assert r.status_code == 400, (raw, r.text)
            code = r.json()["code"] if dialect == "v2" else r.json()["error"]["code"]
            assert code in ("invalid_json", "validation_error"), (raw, r.text)
        missing = api.post("expenses", json={"total_cost": 1})
        assert missing.status_code == 400
    overflow = ws.api(dialect="v1").post("expenses", json={**base(ws), "units": 10**9, "unit_price": 10**11})
    assert overflow.status_code == 400 and overflow.json()["error"]["field"] == "units"
    assert expense_rows(ws) == before


def test_bad_patches_change_nothing(ws: Workspace) -> None:
    api = ws.api()
    created = api.post("expenses", json={**base(ws), "total_cost": 4, "notes": "orig"}).json()
    eid = created["id"]
    for change, status in [
        ({"units": 0}, 400),
        ({"total_cost": -1}, 400),
        ({"spent_date": "2026-02-30"}, 400),
        ({"project_id": None}, 400),
        ({"expense_category_id": "cat_nope"}, 404),
        ({"project_id": "prj_nope"}, 404),
        ({"metadata": {"blob": "x" * 5000}}, 400),
        ({"metadata": "nope"}, 400),
        ({"total_cost": None}, 400),  # nothing left to price from
        ({"notes": "new", "units": -1}, 400),
    ]:
        r = api.patch(f"expenses/{eid}", json=change)
        assert r.status_code == status, (change, r.text)
    assert api.get(f"expenses/{eid}").json() == created
    missing = api.patch("expenses/exp_nope", json={"notes": "x"})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_archived_project_and_category_are_422(ws: Workspace) -> None:
    api = ws.api()
    cat = api.post("expense_categories", json={"name": "Old stuff"}).json()
    assert api.patch(f"expense_categories/{cat['id']}", json={"is_active": False}).status_code == 200
    before = expense_rows(ws)
    r = api.post("expenses", json={**base(ws), "expense_category_id": cat["id"], "total_cost": 1})
    assert r.status_code == 422 and r.json()["field"] == "expense_category_id"
    assert expense_rows(ws) == before

"""How an expense's total is reached, through a real server (decisions §4): every rule, in
order, with the cost_breakdown each answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.support.contract import assert_matches
from tests.support.live import Workspace


def llm(ws: Workspace, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project_id": ws.project_id,
        "expense_category_id": "cat_llm_usage",
        "spent_date": "2026-03-06",
    }
    body.update(kw)
    return body


def tokens(model: str = "claude-opus-4-6", **counts: int) -> dict[str, Any]:
    return {"model": model, **counts}


def category_id(ws: Workspace, name: str) -> str:
    cats = ws.api().get("expense_categories", params={"per_page": 100}).json()["expense_categories"]
    return str(next(c["id"] for c in cats if c["name"] == name))


def test_explicit_total_cost_wins(ws: Workspace) -> None:
    r = ws.api().post(
        "expenses",
        json=llm(ws, total_cost=0.135, units=45, metadata=tokens(input_tokens=30000, output_tokens=15000)),
    )
    assert r.status_code == 201, r.text
    b = r.json()
    assert b["total_cost"] == 0.135 and b["units"] == 45
    assert b["cost_breakdown"]["method"] == "manual" and b["is_unpriced"] is False
    assert b["cost_breakdown"]["input_cost"] is None and b["cost_breakdown"]["model"] == "claude-opus-4-6"
    v1 = ws.api(dialect="v1").post("expenses", json=llm(ws, total_cost=2, units=10, unit_price=0.5))
    assert v1.json()["total_cost"] == 2 and v1.json()["cost_breakdown"]["method"] == "manual"


def test_v1_units_times_unit_price(ws: Workspace) -> None:
    # The v1 documentation's own example: 45 units at 0.003 make 0.135.
    r = ws.api(dialect="v1").post(
        "expenses", json=llm(ws, units=45, unit_price=0.003, metadata=tokens(input_tokens=30000, output_tokens=15000))
    )
    assert r.status_code == 201, r.text
    b = r.json()
    assert b["total_cost"] == 0.135 and b["unit_price"] == 0.003 and b["units"] == 45
    assert b["cost_breakdown"]["method"] == "unit" and b["cost_breakdown"]["currency"] == "USD"
    v1 = ws.api(dialect="v1")
    repriced = v1.patch(f"expenses/{b['id']}", json={"unit_price": 0.01})
    assert repriced.status_code == 200, repriced.text
    assert repriced.json()["total_cost"] == 0.45 and repriced.json()["unit_price"] == 0.01
    more = v1.patch(f"expenses/{b['id']}", json={"units": 50})
    assert more.json()["total_cost"] == 0.5 and more.json()["units"] == 50
    # v2 has no unit_price: it is ignored and the model prices the tokens.
    v2 = ws.api().post(
        "expenses", json=llm(ws, units=45, unit_price=0.003, metadata=tokens(input_tokens=30000, output_tokens=15000))
    )
    assert v2.json()["total_cost"] == 0.525 and v2.json()["cost_breakdown"]["method"] == "model"


def test_category_unit_price(ws: Workspace) -> None:
    api = ws.api()
    mileage = category_id(ws, "Mileage")  # unit-based, 0.67 a mile
    r = api.post("expenses", json=llm(ws, expense_category_id=mileage, units=120))
    assert r.status_code == 201, r.text
    assert r.json()["total_cost"] == 80.4 and r.json()["unit_price"] == 0.67
    assert r.json()["cost_breakdown"]["method"] == "unit"
    assert_matches("createExpense", r)
    # An administrator prices LLM Usage per 1k tokens: rule 2 then comes before the model.
    assert api.patch("expense_categories/cat_llm_usage", json={"unit_price": 0.01}).status_code == 200
    priced = api.post("expenses", json=llm(ws, metadata=tokens(input_tokens=30000, output_tokens=15001)))
    assert priced.status_code == 201, priced.text
    assert priced.json()["units"] == 46 and priced.json()["total_cost"] == 0.46
    assert priced.json()["cost_breakdown"]["method"] == "unit"


def test_model_price_exact_to_the_token_and_units_rounded_up(ws: Workspace) -> None:
    r = ws.api().post("expenses", json=llm(ws, metadata=tokens(input_tokens=1001, output_tokens=1)))
    assert r.status_code == 201, r.text
    b = r.json()
    # claude-opus-4-6: $5 per million input tokens, $25 per million output tokens.
    assert Decimal(str(b["total_cost"])) == Decimal(1001) * Decimal("0.000005") + Decimal("0.000025")
    assert b["units"] == 2  # 1002 tokens -> 2 (thousands, rounded up)
    assert b["cost_breakdown"]["input_cost"] == 0.005005 and b["cost_breakdown"]["output_cost"] == 0.000025


def test_cache_tokens(ws: Workspace) -> None:
    meta = tokens(input_tokens=10000, output_tokens=2000, cache_read_tokens=100000, cache_write_tokens=4000)
    r = ws.api().post("expenses", json=llm(ws, metadata=meta))
    assert r.status_code == 201, r.text
    b = r.json()["cost_breakdown"]
    # input 10k x $5/M + cache reads 100k x $0.50/M + cache writes 4k x $6.25/M; output 2k x $25/M
    assert b["input_cost"] == 0.125
    assert b["output_cost"] == 0.05
    assert r.json()["total_cost"] == 0.175
    assert b["cache_read_tokens"] == 100000 and b["cache_write_tokens"] == 4000
    assert r.json()["units"] == 116  # 116,000 tokens


def test_unknown_model_is_unpriced_not_dropped(ws: Workspace) -> None:
    api = ws.api()
    r = api.post("expenses", json=llm(ws, units=3, metadata=tokens("my-private-model-9000", input_tokens=10)))
    assert r.status_code == 201, r.text
    b = r.json()
    assert b["is_unpriced"] is True and b["total_cost"] == 0 and b["units"] == 3
    assert b["cost_breakdown"]["method"] == "unpriced"
    assert "my-private-model-9000" in b["cost_breakdown"]["reason"]
    no_tokens = api.post("expenses", json=llm(ws, units=3, metadata={"model": "claude-opus-4-6"}))
    assert no_tokens.json()["is_unpriced"] is True and no_tokens.json()["cost_breakdown"]["reason"]
    standard = api.post("expenses", json=llm(ws, expense_category_id=category_id(ws, "Lodging"), units=2))
    assert standard.json()["is_unpriced"] is True
    listed = api.get("expenses", params={"is_unpriced": "true"}).json()["expenses"]
    assert {e["id"] for e in listed} == {r.json()["id"], no_tokens.json()["id"], standard.json()["id"]}
    # Giving a price later makes it priced.
    fixed = api.patch(f"expenses/{r.json()['id']}", json={"total_cost": 1.5})
    assert fixed.json()["is_unpriced"] is False and fixed.json()["cost_breakdown"]["method"] == "manual"


def test_tokens_alone_are_enough_for_llm_usage(ws: Workspace) -> None:
    r = ws.api(dialect="v1").post("expenses", json=llm(ws, metadata=tokens(input_tokens=30000, output_tokens=15000)))
    assert r.status_code == 201, r.text
    assert r.json()["units"] == 45 and r.json()["total_cost"] == 0.525


def test_patch_reprices(ws: Workspace) -> None:
    api = ws.api()
    r = api.post("expenses", json=llm(ws, metadata=tokens(input_tokens=30000, output_tokens=15000)))
    eid = r.json()["id"]
    more = api.patch(f"expenses/{eid}", json={"metadata": {"output_tokens": 25000}})
    assert more.status_code == 200, more.text
    assert more.json()["total_cost"] == 0.775 and more.json()["units"] == 55
    manual = api.patch(f"expenses/{eid}", json={"total_cost": 9})
    assert manual.json()["total_cost"] == 9 and manual.json()["cost_breakdown"]["method"] == "manual"
    back = api.patch(f"expenses/{eid}", json={"total_cost": None})
    assert back.json()["total_cost"] == 0.775 and back.json()["cost_breakdown"]["method"] == "model"
    notes_only = api.patch(f"expenses/{eid}", json={"notes": "n"})
    assert notes_only.json()["cost_breakdown"] == back.json()["cost_breakdown"]


def test_currency_conversion(server: Any) -> None:
    from tests.support.live import make_workspace

    ws = make_workspace(server, name="Euro Co", currency="EUR")
    api = ws.api()
    body = llm(ws, metadata=tokens(input_tokens=30000, output_tokens=15000))
    no_rate = api.post("expenses", json=body)
    assert no_rate.status_code == 201, no_rate.text
    b = no_rate.json()
    assert b["is_unpriced"] is True and b["total_cost"] == 0
    assert "exchange rate" in b["cost_breakdown"]["reason"] and "EUR" in b["cost_breakdown"]["reason"]
    assert b["cost_breakdown"]["total_cost_usd"] == 0.525  # the USD price is still shown
    ws.update_account(usd_exchange_rate=Decimal("0.92"))
    r = api.post("expenses", json=body)
    b = r.json()
    assert b["is_unpriced"] is False
    assert b["total_cost"] == 0.483  # 0.525 USD x 0.92
    bd = b["cost_breakdown"]
    assert bd["currency"] == "USD" and bd["total_cost_usd"] == 0.525 and bd["usd_exchange_rate"] == 0.92
    assert bd["input_cost"] == 0.15 and bd["output_cost"] == 0.375
    manual = api.post("expenses", json=llm(ws, total_cost=3)).json()
    assert manual["cost_breakdown"]["currency"] == "EUR"


def test_patch_category_and_project(ws: Workspace) -> None:
    api = ws.api()
    r = api.post("expenses", json=llm(ws, units=10, metadata={"model": "no-such-model"}))
    assert r.json()["is_unpriced"] is True
    eid = r.json()["id"]
    moved = api.patch(f"expenses/{eid}", json={"expense_category_id": category_id(ws, "Mileage")})
    assert moved.status_code == 200, moved.text
    assert moved.json()["total_cost"] == 6.7 and moved.json()["cost_breakdown"]["method"] == "unit"
    assert moved.json()["expense_category"]["name"] == "Mileage"
    _, key = ws.add_user("Mia")
    mine = ws.api(key).post("expenses", json=llm(ws, total_cost=1)).json()["id"]

    def other_project(s: Any, actor: Any) -> str:
        from keito_server.services import projects

        return str(projects.create_project(s, actor, {"client_id": ws.client_id, "name": "Elsewhere"}).id)

    elsewhere = ws.run(other_project)
    denied = ws.api(key).patch(f"expenses/{mine}", json={"project_id": elsewhere})
    assert denied.status_code == 403 and denied.json()["code"] == "project_not_assigned"
    assert api.get(f"expenses/{mine}").json()["project_id"] == ws.project_id

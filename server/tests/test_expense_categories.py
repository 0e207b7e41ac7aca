"""Expense categories (Harvest shape plus is_builtin) in both dialects; LLM Usage answers to
cat_llm_usage in every workspace."""

from __future__ import annotations

from typing import Any

from tests.support.live import Workspace

HARVEST_FIELDS = {"id", "name", "unit_name", "unit_price", "is_active", "created_at", "updated_at", "is_builtin"}


def real_llm_usage_id(ws: Workspace) -> str:
    from keito_server.db.models import ExpenseCategory
    from sqlalchemy import select

    return str(
        ws.run(
            lambda s, a: s.scalar(
                select(ExpenseCategory.id).where(
                    ExpenseCategory.account_id == a.account_id, ExpenseCategory.builtin == "llm_usage"
                )
            )
        )
    )


def test_defaults_and_llm_usage_alias(ws: Workspace, other_ws: Workspace) -> None:
    r = ws.api().get("expense_categories")
    assert r.status_code == 200
    body = r.json()
    cats = {c["name"]: c for c in body["expense_categories"]}
    assert set(cats) == {
        "Meals & Entertainment",
        "Transportation",
        "Lodging",
        "Mileage",
        "Software & Subscriptions",
        "Office Supplies",
        "LLM Usage",
    }
    assert body["total_entries"] == 7 and body["page"] == 1 and "links" in body
    llm = cats["LLM Usage"]
    assert set(llm) >= HARVEST_FIELDS
    assert llm["id"] == "cat_llm_usage" and llm["is_builtin"] is True
    assert llm["unit_name"] == "1k tokens" and llm["unit_price"] is None
    assert cats["Mileage"]["unit_name"] == "mile" and cats["Mileage"]["unit_price"] == 0.67
    assert cats["Mileage"]["is_builtin"] is False and cats["Mileage"]["id"].startswith("cat_")
    # The alias works in every workspace, and the stored id works too (shown as the alias).
    assert other_ws.api().get("expense_categories/cat_llm_usage").json()["name"] == "LLM Usage"
    real = real_llm_usage_id(ws)
    assert real != "cat_llm_usage"
    got = ws.api().get(f"expense_categories/{real}")
    assert got.status_code == 200 and got.json()["id"] == "cat_llm_usage"
    exp = ws.api().post(
        "expenses",
        json={"project_id": ws.project_id, "expense_category_id": real, "spent_date": "2026-03-06", "total_cost": 1},
    )
    assert exp.status_code == 201 and exp.json()["expense_category_id"] == "cat_llm_usage"
    # Another workspace's LLM Usage row is not ours.
    assert other_ws.api().get(f"expense_categories/{real}").status_code == 404


def test_create_update_and_permissions(ws: Workspace) -> None:
    api = ws.api()
    created = api.post("expense_categories", json={"name": "Cloud GPUs", "unit_name": "GPU hour", "unit_price": 2.5})
    assert created.status_code == 201, created.text
    cat = created.json()
    assert cat["name"] == "Cloud GPUs" and cat["unit_price"] == 2.5 and cat["is_active"] is True
    assert cat["is_builtin"] is False
    up = api.patch(f"expense_categories/{cat['id']}", json={"unit_price": 3, "is_active": False})
    assert up.status_code == 200 and up.json()["unit_price"] == 3 and up.json()["is_active"] is False
    assert [
        c["id"] for c in api.get("expense_categories", params={"is_active": "false"}).json()["expense_categories"]
    ] == [cat["id"]]
    dup = api.post("expense_categories", json={"name": "Lodging"})
    assert dup.status_code == 422 and dup.json()["field"] == "name"
    price_without_unit = api.post("expense_categories", json={"name": "Odd", "unit_price": 1})
    assert price_without_unit.status_code == 400 and price_without_unit.json()["field"] == "unit_name"
    for bad in ({"name": ""}, {}, {"name": "X", "unit_price": -1}, {"name": "X", "is_active": "yes"}):
        assert api.post("expense_categories", json=bad).status_code == 400, bad
    rename = api.patch("expense_categories/cat_llm_usage", json={"name": "Tokens"})
    assert rename.status_code == 422
    price = api.patch("expense_categories/cat_llm_usage", json={"unit_price": 0.003})
    assert price.status_code == 200 and price.json()["unit_price"] == 0.003 and price.json()["id"] == "cat_llm_usage"
    assert api.get("expense_categories/cat_nope").status_code == 404
    assert api.patch("expense_categories/cat_nope", json={"name": "x"}).status_code == 404

    _, member_key = ws.add_user("Mia")
    _, manager_key = ws.add_user("Max", roles=["manager", "member"])
    member = ws.api(member_key)
    assert member.get("expense_categories").status_code == 200
    denied = member.post("expense_categories", json={"name": "Member made"})
    assert denied.status_code == 403 and denied.json()["code"] == "authorization_error"
    assert member.patch(f"expense_categories/{cat['id']}", json={"name": "Hijack"}).status_code == 403
    assert ws.api(manager_key).post("expense_categories", json={"name": "Manager made"}).status_code == 201
    names = {c["name"] for c in api.get("expense_categories", params={"per_page": 100}).json()["expense_categories"]}
    assert "Member made" not in names and "Manager made" in names and "Hijack" not in names


def test_category_changes_apply_to_new_expenses_only(ws: Workspace) -> None:
    api = ws.api()
    cat = api.post("expense_categories", json={"name": "Parking", "unit_name": "hour", "unit_price": 2}).json()
    body: dict[str, Any] = {"project_id": ws.project_id, "expense_category_id": cat["id"], "spent_date": "2026-03-06"}
    first = api.post("expenses", json={**body, "units": 3}).json()
    assert first["total_cost"] == 6
    api.patch(f"expense_categories/{cat['id']}", json={"unit_price": 5})
    assert api.get(f"expenses/{first['id']}").json()["total_cost"] == 6
    assert api.post("expenses", json={**body, "units": 3}).json()["total_cost"] == 15


def test_v1_list_and_get(ws: Workspace) -> None:
    api = ws.api(dialect="v1")
    page1 = api.get("expense-categories", params={"limit": 4}).json()
    assert len(page1["data"]) == 4 and page1["has_more"] is True
    page2 = api.get("expense-categories", params={"limit": 4, "cursor": page1["next_cursor"]}).json()
    assert len(page2["data"]) == 3 and page2["has_more"] is False
    ids = {c["id"] for c in page1["data"] + page2["data"]}
    assert "cat_llm_usage" in ids and len(ids) == 7
    one = api.get("expense-categories/cat_llm_usage")
    assert one.status_code == 200 and one.json()["is_builtin"] is True
    missing = api.get("expense-categories/cat_nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"

"""Expenses through both dialects against a real server (decisions §1 and §4): the quickstart,
the v2 contract, reads, filters, updates, deletes, permissions and locks."""

from __future__ import annotations

from typing import Any

from tests.support.contract import assert_matches
from tests.support.live import Workspace

QUICKSTART_SESSION = "550e8400-e29b-41d4-a716-446655440000"


def quickstart_expense(ws: Workspace) -> dict[str, Any]:
    """The quickstart's v1 cURL body, word for word, with this workspace's project id."""
    return {
        "project_id": ws.project_id,
        "expense_category_id": "cat_llm_usage",
        "spent_date": "2026-03-06",
        "units": 45,
        "notes": "claude-opus-4-6: 30k input + 15k output tokens",
        "source": "agent",
        "metadata": {
            "agent_id": "my-bot-01",
            "session_id": QUICKSTART_SESSION,
            "model": "claude-opus-4-6",
            "input_tokens": 30000,
            "output_tokens": 15000,
        },
    }


def expense_rows(ws: Workspace) -> int:
    from keito_server.db.models import Expense
    from sqlalchemy import func, select

    return int(
        ws.run(
            lambda s, a: s.scalar(select(func.count()).select_from(Expense).where(Expense.account_id == a.account_id))
        )
    )


def set_expense(ws: Workspace, expense_id: str, **fields: Any) -> None:
    from keito_server.db.models import Expense

    def apply(s: Any, _: Any) -> None:
        row = s.get(Expense, expense_id)
        for k, v in fields.items():
            setattr(row, k, v)
        s.commit()

    ws.run(apply)


def test_quickstart_v1_expense(ws: Workspace) -> None:
    _, key = ws.add_user("my-bot-01", user_type="agent")
    r = ws.api(key, dialect="v1").post("expenses", json=quickstart_expense(ws))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith("exp_")
    assert body["total_cost"] == 0.525
    assert body["units"] == 45
    assert body["expense_category_id"] == "cat_llm_usage"
    assert body["is_billable"] is True and "billable" not in body
    assert body["is_unpriced"] is False
    assert body["source"] == "agent"
    assert body["metadata"] == quickstart_expense(ws)["metadata"]
    assert body["cost_breakdown"] == {
        "method": "model",
        "model": "claude-opus-4-6",
        "provider": "anthropic",
        "input_tokens": 30000,
        "output_tokens": 15000,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "input_cost": 0.15,
        "output_cost": 0.375,
        "currency": "USD",
        "price_data_version": body["cost_breakdown"]["price_data_version"],
        "total_cost_usd": 0.525,
        "usd_exchange_rate": None,
        "reason": None,
    }
    assert body["cost_breakdown"]["price_data_version"].startswith("genai-prices")


def test_quickstart_through_v2_matches_contract(ws: Workspace) -> None:
    _, key = ws.add_user("my-bot-01", user_type="agent")
    api = ws.api(key)
    r = api.post("expenses", json=quickstart_expense(ws))
    assert r.status_code == 201, r.text
    assert r.headers["X-Keito-API-Version"] == "2"
    assert_matches("createExpense", r)
    assert r.json()["total_cost"] == 0.525
    assert r.json()["expense_category"] == {"id": "cat_llm_usage", "name": "LLM Usage"}
    listing = api.get("expenses", params={"session_id": QUICKSTART_SESSION})
    assert listing.status_code == 200
    assert_matches("listExpenses", listing)
    assert [e["id"] for e in listing.json()["expenses"]] == [r.json()["id"]]
    one = api.get(f"expenses/{r.json()['id']}")
    assert one.status_code == 200 and one.json() == r.json()


def test_v1_list_get_patch_delete(ws: Workspace) -> None:
    api = ws.api(dialect="v1")
    ids = []
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        r = api.post(
            "expenses",
            json={
                "project_id": ws.project_id,
                "expense_category_id": "cat_llm_usage",
                "spent_date": day,
                "total_cost": 2,
            },
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    page1 = api.get("expenses", params={"limit": 2}).json()
    assert page1["has_more"] is True and len(page1["data"]) == 2
    page2 = api.get("expenses", params={"limit": 2, "cursor": page1["next_cursor"]}).json()
    assert page2["has_more"] is False and page2["next_cursor"] is None
    assert {e["id"] for e in page1["data"] + page2["data"]} == set(ids)
    patched = api.patch(f"expenses/{ids[0]}", json={"is_billable": False, "notes": "fixed"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["is_billable"] is False and patched.json()["notes"] == "fixed"
    assert api.get(f"expenses/{ids[0]}").json()["is_billable"] is False
    assert api.delete(f"expenses/{ids[0]}").status_code == 204
    gone = api.get(f"expenses/{ids[0]}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


def test_v2_get_update_delete(ws: Workspace) -> None:
    api = ws.api()
    r = api.post(
        "expenses",
        json={
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": "2026-03-06",
            "total_cost": 1.25,
            "metadata": {"session_id": "a", "keep": 1},
        },
    )
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    up = api.patch(f"expenses/{eid}", json={"metadata": {"agent_id": "bot"}, "total_cost": 3.5, "billable": False})
    assert up.status_code == 200, up.text
    body = up.json()
    assert body["metadata"] == {"session_id": "a", "keep": 1, "agent_id": "bot"}
    assert body["total_cost"] == 3.5 and body["billable"] is False
    assert api.get("expenses", params={"agent_id": "bot"}).json()["total_entries"] == 1
    src = api.patch(f"expenses/{eid}", json={"source": "cli"})
    assert src.status_code == 400 and src.json()["code"] == "validation_error"
    cleared = api.patch(f"expenses/{eid}", json={"metadata": None})
    assert cleared.status_code == 200 and cleared.json()["metadata"] is None
    assert api.delete(f"expenses/{eid}").status_code == 204
    assert api.get(f"expenses/{eid}").status_code == 404


def test_filters(ws: Workspace) -> None:
    api = ws.api()
    mileage = next(c for c in api.get("expense_categories").json()["expense_categories"] if c["name"] == "Mileage")

    def make(**kw: Any) -> str:
        body = {"project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "spent_date": "2026-03-06"}
        body.update(kw)
        r = api.post("expenses", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    agent = make(total_cost=1, source="agent", metadata={"session_id": "s1", "agent_id": "a1"})
    cli = make(total_cost=1, source="cli", spent_date="2026-03-01")
    web = make(expense_category_id=mileage["id"], units=10, source="web", spent_date="2026-02-01")
    unpriced = make(units=3)

    def ids(**params: Any) -> set[str]:
        r = api.get("expenses", params=params)
        assert r.status_code == 200, r.text
        return {e["id"] for e in r.json()["expenses"]}

    assert ids(source="agent,cli") == {agent, cli}
    assert ids(source="web") == {web}
    assert ids(session_id="s1") == {agent}
    assert ids(agent_id="a1") == {agent}
    assert ids(expense_category_id=mileage["id"]) == {web}
    assert ids(expense_category_id="cat_llm_usage") == {agent, cli, unpriced}
    assert ids(**{"from": "2026-03-01", "to": "2026-03-05"}) == {cli}
    assert ids(project_id=ws.project_id, client_id=ws.client_id) == {agent, cli, web, unpriced}
    assert ids(user_id=ws.admin_id, is_billed="false") == {agent, cli, web, unpriced}
    assert ids(is_billed="true") == set()
    set_expense(ws, web, billable=False)
    assert ids(billable="false") == {web}
    assert ids(billable="true") == {agent, cli, unpriced}
    assert ids(is_unpriced="true") == {unpriced}
    assert ids(updated_since="2000-01-01T00:00:00Z") == {agent, cli, web, unpriced}
    bad = api.get("expenses", params={"source": "calendar"})
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"
    assert api.get("expenses", params={"approval_status": "maybe"}).status_code == 400
    assert ids(approval_status="unsubmitted") == {agent, cli, web, unpriced}
    bad_date = api.get("expenses", params={"from": "2026-02-30"})
    assert bad_date.status_code == 400


def test_members_see_only_their_own_managers_everyone(ws: Workspace) -> None:
    member_id, member_key = ws.add_user("Mia")
    _, other_key = ws.add_user("Otto")
    _, manager_key = ws.add_user("Max", roles=["manager", "member"])
    body = {"project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "spent_date": "2026-03-06"}
    mine = ws.api(member_key).post("expenses", json={**body, "total_cost": 5})
    assert mine.status_code == 201, mine.text
    eid = mine.json()["id"]
    assert mine.json()["user_id"] == member_id
    other = ws.api(other_key)
    assert other.get("expenses").json()["total_entries"] == 0
    assert other.get(f"expenses/{eid}").status_code == 404
    assert other.patch(f"expenses/{eid}", json={"notes": "x"}).status_code == 404
    assert other.delete(f"expenses/{eid}").status_code == 404
    assert ws.api(manager_key).get(f"expenses/{eid}").status_code == 200
    assert ws.api(manager_key).get("expenses").json()["total_entries"] == 1
    # Only managers log for other people.
    for_other = other.post("expenses", json={**body, "total_cost": 1, "user_id": member_id})
    assert for_other.status_code == 403
    by_admin = ws.api().post("expenses", json={**body, "total_cost": 1, "user_id": member_id})
    assert by_admin.status_code == 201 and by_admin.json()["user_id"] == member_id


def test_project_assignment(ws: Workspace) -> None:
    _, key = ws.add_user("Nina", assign=False)
    body = {"project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "spent_date": "2026-03-06"}
    before = expense_rows(ws)
    r = ws.api(key).post("expenses", json={**body, "total_cost": 1})
    assert r.status_code == 403 and r.json()["code"] == "project_not_assigned"
    v1 = ws.api(key, dialect="v1").post("expenses", json={**body, "total_cost": 1})
    assert v1.status_code == 403 and v1.json()["error"]["code"] == "project_not_assigned"
    assert v1.json()["error"]["field"] == "project_id"
    assert expense_rows(ws) == before
    # Administrators log anywhere (the workspace admin is not on any project team).
    assert ws.api().post("expenses", json={**body, "total_cost": 1}).status_code == 201


def test_locked_when_approved_or_billed(ws: Workspace) -> None:
    api = ws.api()
    body = {"project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "spent_date": "2026-03-06"}
    approved = api.post("expenses", json={**body, "total_cost": 1}).json()["id"]
    billed = api.post("expenses", json={**body, "total_cost": 2}).json()["id"]
    set_expense(ws, approved, approval_status="approved")
    set_expense(ws, billed, is_billed=True)
    for eid in (approved, billed):
        assert api.get(f"expenses/{eid}").json()["is_locked"] is True
        r = api.patch(f"expenses/{eid}", json={"notes": "changed"})
        assert r.status_code == 409 and r.json()["code"] == "entry_locked"
        d = api.delete(f"expenses/{eid}")
        assert d.status_code == 409 and d.json()["code"] == "entry_locked"
    v1 = ws.api(dialect="v1").patch(f"expenses/{billed}", json={"notes": "x"})
    assert v1.status_code == 409 and v1.json()["error"]["code"] == "entry_locked"
    assert api.get(f"expenses/{approved}").json()["notes"] is None


def test_billable_defaults_from_category_and_project(ws: Workspace) -> None:
    api = ws.api()
    cat = api.post("expense_categories", json={"name": "Internal", "billable_by_default": False}).json()
    body = {"project_id": ws.project_id, "spent_date": "2026-03-06", "total_cost": 1}
    assert api.post("expenses", json={**body, "expense_category_id": cat["id"]}).json()["billable"] is False
    over = api.post("expenses", json={**body, "expense_category_id": cat["id"], "billable": True})
    assert over.json()["billable"] is True
    assert api.post("expenses", json={**body, "expense_category_id": "cat_llm_usage"}).json()["billable"] is True
    off = api.post("expenses", json={**body, "expense_category_id": "cat_llm_usage", "billable": False})
    assert off.json()["billable"] is False


def test_another_workspace_is_404(ws: Workspace, other_ws: Workspace) -> None:
    api = ws.api()
    mine = api.post(
        "expenses",
        json={
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": "2026-03-06",
            "total_cost": 1,
        },
    ).json()["id"]
    theirs = other_ws.api()
    assert theirs.get(f"expenses/{mine}").status_code == 404
    assert theirs.patch(f"expenses/{mine}", json={"notes": "x"}).status_code == 404
    assert theirs.delete(f"expenses/{mine}").status_code == 404
    assert theirs.get("expenses").json()["total_entries"] == 0
    before = expense_rows(other_ws)
    cross = theirs.post(
        "expenses",
        json={
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": "2026-03-06",
            "total_cost": 1,
        },
    )
    assert cross.status_code == 404 and cross.json()["code"] == "not_found"
    my_cats = api.get("expense_categories").json()["expense_categories"]
    mileage = next(c["id"] for c in my_cats if c["name"] == "Mileage")
    cross_cat = theirs.post(
        "expenses",
        json={
            "project_id": other_ws.project_id,
            "expense_category_id": mileage,
            "spent_date": "2026-03-06",
            "units": 2,
        },
    )
    assert cross_cat.status_code == 404
    assert expense_rows(other_ws) == before


def test_idempotency_key_makes_one_expense(ws: Workspace) -> None:
    api = ws.api()
    body = {**quickstart_expense(ws), "metadata": {**quickstart_expense(ws)["metadata"], "session_id": "idem-1"}}
    headers = {"Idempotency-Key": "expense-idem-1"}
    first = api.post("expenses", json=body, headers=headers)
    again = api.post("expenses", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert api.get("expenses", params={"session_id": "idem-1"}).json()["total_entries"] == 1
    other = api.post("expenses", json={**body, "units": 46}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_expenses_turned_off_refuses_new_ones(ws: Workspace) -> None:
    api = ws.api()
    body = {"project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "spent_date": "2026-03-06"}
    kept = api.post("expenses", json={**body, "total_cost": 1}).json()["id"]
    ws.update_account(feature_expenses=False)
    r = api.post("expenses", json={**body, "total_cost": 1})
    assert r.status_code == 403 and r.json()["code"] == "feature_disabled"
    assert "Settings" in r.json()["error_description"]
    assert [e["id"] for e in api.get("expenses").json()["expenses"]] == [kept]  # history stays readable

"""Expenses pages over HTTP against a real server, logged in through the login form
(``admin_web`` / ``web`` from conftest.py carry the session cookie and the CSRF token)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from keito_server.db.models import Expense, ExpenseCategory

from server.tests.web.conftest import admin_email
from tests.support.live import LiveServer, Workspace, make_workspace

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DAY = "2026-03-10"


def one(ws: Workspace, model: Any, **where: Any) -> Any:
    from sqlalchemy import select

    def q(s: Any, a: Any) -> Any:
        stmt = select(model).where(model.account_id == ws.account_id)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        row = s.scalars(stmt.order_by(model.created_at.desc())).first()
        if row is not None:
            s.expunge(row)
        return row

    return ws.run(q)


def category(ws: Workspace, name: str) -> Any:
    return one(ws, ExpenseCategory, name=name)


def post_multipart(web: Any, path: str, data: dict[str, str], files: dict[str, Any] | None = None) -> Any:
    if not web.csrf:
        web.get("/expenses")
    return web._remember(web.http.post(path, data={**data, "csrf_token": web.csrf}, files=files or {}))


def agent_llm_expenses(ws: Workspace) -> tuple[str, str]:
    """An agent logs a model-priced LLM expense and an unpriced one (unknown model)."""
    _, key = ws.add_user("review-bot-01", user_type="agent")
    agent = ws.api(key)
    priced = agent.post(
        "expenses",
        {
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": DAY,
            "source": "agent",
            "metadata": {"model": "claude-sonnet-4-5", "input_tokens": 120000, "output_tokens": 8000},
        },
    )
    assert priced.status_code == 201, priced.text
    unpriced = agent.post(
        "expenses",
        {
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": DAY,
            "units": 3,
            "source": "cli",
            "metadata": {"model": "no-such-model-9", "input_tokens": 1000, "output_tokens": 500},
        },
    )
    assert unpriced.status_code == 201, unpriced.text
    return priced.json()["id"], unpriced.json()["id"]


def test_new_standard_expense_with_receipt(ws: Workspace, admin_web: Any) -> None:
    page = admin_web.get("/expenses/new")
    assert page.status_code == 200 and 'type="file"' in page.text and 'enctype="multipart/form-data"' in page.text
    meals = category(ws, "Meals & Entertainment")
    r = post_multipart(
        admin_web,
        "/expenses/new",
        {
            "spent_date": DAY,
            "project_id": ws.project_id,
            "expense_category_id": meals.id,
            "total_cost": "42.50",
            "notes": "Client lunch <b>",
            "billable": "1",
        },
        {"receipt": ("lunch.png", PNG, "image/png")},
    )
    assert r.status_code == 200 and "Expense saved." in r.text
    e = one(ws, Expense, expense_category_id=meals.id)
    assert e.total_cost == Decimal("42.5") and e.source == "web" and e.billable and e.receipt_file_name == "lunch.png"
    assert "Client lunch &lt;b&gt;" in r.text
    receipt = admin_web.get(f"/expenses/{e.id}/receipt")
    assert receipt.status_code == 200 and receipt.content == PNG
    assert receipt.headers["content-type"] == "image/png"


def test_unit_based_expense_is_quantity_times_unit_price(ws: Workspace, admin_web: Any) -> None:
    mileage = category(ws, "Mileage")
    page = admin_web.get("/expenses/new")
    assert 'data-unit="mile" data-price="0.67"' in page.text and 'id="live-total"' in page.text
    r = post_multipart(
        admin_web,
        "/expenses/new",
        {"spent_date": DAY, "project_id": ws.project_id, "expense_category_id": mileage.id, "units": "120"},
    )
    assert r.status_code == 200, r.text[:400]
    e = one(ws, Expense, expense_category_id=mileage.id)
    assert e.units == 120 and e.total_cost == Decimal("80.4") and e.billable is False


def test_form_errors_are_inline_and_nothing_is_saved(ws: Workspace, admin_web: Any) -> None:
    meals = category(ws, "Meals & Entertainment")
    base = {"spent_date": DAY, "project_id": ws.project_id, "expense_category_id": meals.id}
    r = post_multipart(admin_web, "/expenses/new", {**base, "total_cost": ""})
    assert r.status_code == 400 and 'id="f-total_cost-error"' in r.text
    r = post_multipart(admin_web, "/expenses/new", {**base, "total_cost": "-3"})
    assert r.status_code == 400 and "cannot be negative" in r.text
    r = post_multipart(
        admin_web, "/expenses/new", {**base, "expense_category_id": category(ws, "Mileage").id, "units": "2.5"}
    )
    assert r.status_code == 400 and 'id="f-units-error"' in r.text
    r = post_multipart(admin_web, "/expenses/new", {**base, "spent_date": "soon", "total_cost": "5"})
    assert r.status_code == 400 and 'id="f-spent_date-error"' in r.text
    # A receipt of the wrong kind: the expense is not kept.
    r = post_multipart(
        admin_web, "/expenses/new", {**base, "total_cost": "9"}, {"receipt": ("notes.txt", b"hello", "text/plain")}
    )
    assert r.status_code == 400 and 'id="f-receipt-error"' in r.text and "PNG, JPEG, GIF or PDF" in r.text
    assert one(ws, Expense, expense_category_id=meals.id) is None


def test_list_badges_filters_and_unpriced_marker(ws: Workspace, admin_web: Any) -> None:
    priced_id, unpriced_id = agent_llm_expenses(ws)
    page = admin_web.get("/expenses")
    assert page.status_code == 200
    assert 'class="badge badge-agent"' in page.text and 'class="badge badge-cli"' in page.text
    assert "Needs a price" in page.text and "1 expense could not be priced" in page.text

    only_agent = admin_web.get("/expenses", params={"source": "agent"}).text
    assert f"/expenses/{priced_id}" in only_agent and f"/expenses/{unpriced_id}" not in only_agent
    only_cli = admin_web.get("/expenses", params={"source": "cli"}).text
    assert f"/expenses/{unpriced_id}" in only_cli and f"/expenses/{priced_id}" not in only_cli

    llm = category(ws, "LLM Usage")
    meals = category(ws, "Meals & Entertainment")
    post_multipart(
        admin_web,
        "/expenses/new",
        {"spent_date": "2026-04-01", "project_id": ws.project_id, "expense_category_id": meals.id, "total_cost": "10"},
    )
    by_cat = admin_web.get("/expenses", params={"category_id": "cat_llm_usage"}).text
    assert "Meals &amp; Entertainment</a>" not in by_cat and f"/expenses/{priced_id}" in by_cat
    by_date = admin_web.get("/expenses", params={"from": "2026-04-01", "to": "2026-04-30"}).text
    assert f"/expenses/{priced_id}" not in by_date and "Meals &amp; Entertainment</a>" in by_date
    by_client = admin_web.get("/expenses", params={"client_id": ws.client_id}).text
    assert f"/expenses/{priced_id}" in by_client
    by_project = admin_web.get("/expenses", params={"project_id": ws.project_id, "billable": "no"}).text
    assert "<strong>" in by_project
    assert llm is not None
    bad = admin_web.get("/expenses", params={"from": "yesterday"})
    assert bad.status_code == 400 and 'id="f-from-error"' in bad.text


def test_llm_expense_detail_shows_the_cost_breakdown(ws: Workspace, admin_web: Any) -> None:
    priced_id, unpriced_id = agent_llm_expenses(ws)
    page = admin_web.get(f"/expenses/{priced_id}").text
    assert "How the cost was reached" in page
    assert "claude-sonnet-4-5" in page and "120,000" in page and "8,000" in page
    assert "Model prices (exact per token)" in page and "Price data version" in page
    e = one(ws, Expense, id=priced_id)
    assert str(e.cost_breakdown["input_cost"]) in page and str(e.cost_breakdown["output_cost"]) in page
    assert "badge-agent" in page

    unpriced = admin_web.get(f"/expenses/{unpriced_id}").text
    assert 'class="needs-price"' in unpriced and "Needs a price" in unpriced
    assert "no-such-model-9" in unpriced


def test_edit_and_delete_unless_locked(ws: Workspace, admin_web: Any) -> None:
    meals = category(ws, "Meals & Entertainment")
    post_multipart(
        admin_web,
        "/expenses/new",
        {"spent_date": DAY, "project_id": ws.project_id, "expense_category_id": meals.id, "total_cost": "20"},
    )
    e = one(ws, Expense, expense_category_id=meals.id)
    assert admin_web.get(f"/expenses/{e.id}/edit").status_code == 200
    r = post_multipart(
        admin_web,
        f"/expenses/{e.id}/edit",
        {"spent_date": DAY, "project_id": ws.project_id, "expense_category_id": meals.id, "total_cost": "25.75"},
    )
    assert r.status_code == 200 and "Expense updated." in r.text
    assert one(ws, Expense, id=e.id).total_cost == Decimal("25.75")

    def lock(s: Any, a: Any) -> None:
        s.get(Expense, e.id).is_billed = True
        s.commit()

    ws.run(lock)
    detail = admin_web.get(f"/expenses/{e.id}").text
    assert "badge-locked" in detail and f'action="/expenses/{e.id}/delete"' not in detail
    r = admin_web.post(f"/expenses/{e.id}/delete")
    assert r.status_code == 200 and "locked" in r.text
    assert one(ws, Expense, id=e.id) is not None

    def unlock(s: Any, a: Any) -> None:
        s.get(Expense, e.id).is_billed = False
        s.commit()

    ws.run(unlock)
    r = admin_web.post(f"/expenses/{e.id}/delete")
    assert r.status_code == 200 and "Expense deleted." in r.text
    assert one(ws, Expense, id=e.id) is None


def test_members_see_only_their_own_expenses_and_receipts(ws: Workspace, admin_web: Any, web: Any) -> None:
    meals = category(ws, "Meals & Entertainment")
    post_multipart(
        admin_web,
        "/expenses/new",
        {"spent_date": DAY, "project_id": ws.project_id, "expense_category_id": meals.id, "total_cost": "99"},
        {"receipt": ("secret.png", PNG, "image/png")},
    )
    admins = one(ws, Expense, expense_category_id=meals.id)
    email = "member.expenses@example.com"
    ws.add_user("Mo Member", email=email)
    assert web.login(email).status_code == 200
    page = web.get("/expenses")
    assert page.status_code == 200 and f"/expenses/{admins.id}" not in page.text
    assert web.get(f"/expenses/{admins.id}").status_code == 404
    assert web.get(f"/expenses/{admins.id}/receipt").status_code == 404
    r = post_multipart(
        web,
        "/expenses/new",
        {"spent_date": DAY, "project_id": ws.project_id, "expense_category_id": meals.id, "total_cost": "12"},
    )
    assert r.status_code == 200 and "Expense saved." in r.text


def test_other_workspace_expense_is_404(ws: Workspace, other_ws: Workspace, admin_web: Any) -> None:
    api = other_ws.api()
    cat = one(other_ws, ExpenseCategory, name="Lodging")
    r = api.post(
        "expenses",
        {"project_id": other_ws.project_id, "expense_category_id": cat.id, "spent_date": DAY, "total_cost": 5},
    )
    assert r.status_code == 201
    assert admin_web.get(f"/expenses/{r.json()['id']}").status_code == 404


@pytest.mark.browser
def test_expense_form_shows_quantity_times_price_live(page: Any, browser_server: LiveServer) -> None:
    ws = make_workspace(browser_server)
    page.goto(f"{browser_server.url}/login")
    page.get_by_label("Email").fill(admin_email(ws))
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/time/day/.*"))

    page.goto(f"{browser_server.url}/expenses/new")
    page.get_by_label("Project").select_option(label="Acme Corp · Acme Website")
    page.get_by_label("Category").select_option(label="Mileage (per mile)")
    assert not page.get_by_label("Amount (USD)").is_visible()
    page.get_by_label("Quantity").fill("120")
    assert page.locator("#live-total").inner_text() == "120 × 0.67 per mile = 80.40"
    page.get_by_label("Category").select_option(label="Lodging")
    assert page.get_by_label("Amount (USD)").is_visible() and not page.get_by_label("Quantity").is_visible()
    page.get_by_label("Amount (USD)").fill("189.90")
    page.get_by_label("Receipt").set_input_files(files=[{"name": "hotel.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_label("Notes").focus()
    page.keyboard.type("Two nights")
    page.get_by_role("button", name="Save expense").click()
    page.wait_for_url(re.compile(r".*/expenses/exp_.*"))
    assert page.get_by_text("Expense saved.").is_visible()
    assert page.get_by_role("link", name="View hotel.png").is_visible()
    assert "189.90" in page.locator(".big-amount").inner_text()

    # The agent badge is violet in the list.
    _, key = ws.add_user("review-bot-01", user_type="agent")
    r = ws.api(key).post(
        "expenses",
        {
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": DAY,
            "source": "agent",
            "metadata": {"model": "claude-sonnet-4-5", "input_tokens": 1000, "output_tokens": 100},
        },
    )
    assert r.status_code == 201
    page.goto(f"{browser_server.url}/expenses")
    badge = page.locator(".badge-agent").first
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(124, 58, 237)"
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_an_unpriced_llm_expense_can_be_given_an_amount(ws: Workspace, admin_web: Any) -> None:
    _, unpriced_id = agent_llm_expenses(ws)
    form = admin_web.get(f"/expenses/{unpriced_id}/edit")
    assert form.status_code == 200 and 'name="total_cost"' in form.text and 'name="units"' in form.text
    base = {"spent_date": DAY, "project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "units": "3"}
    # Saving without an amount keeps it marked as needing a price (nothing silently free).
    r = post_multipart(admin_web, f"/expenses/{unpriced_id}/edit", {**base, "total_cost": ""})
    assert r.status_code == 200, r.text[:300]
    assert one(ws, Expense, id=unpriced_id).pricing_method == "unpriced"
    r = post_multipart(admin_web, f"/expenses/{unpriced_id}/edit", {**base, "total_cost": "0.0421"})
    assert r.status_code == 200
    e = one(ws, Expense, id=unpriced_id)
    assert e.pricing_method == "manual" and e.total_cost == Decimal("0.0421") and e.units == 3
    assert "Needs a price" not in admin_web.get(f"/expenses/{unpriced_id}").text


def test_long_lists_page_and_the_totals_cover_every_match(ws: Workspace, admin_web: Any) -> None:
    from datetime import date

    from keito_server.db.models import Expense as ExpenseRow
    from keito_server.domain.ids import new_id

    cat = category(ws, "Meals & Entertainment")

    def seed(s: Any, actor: Any) -> None:  # 205 rows straight into the database: the list is under test
        s.add_all(
            ExpenseRow(
                id=new_id("expense"),
                account_id=ws.account_id,
                user_id=ws.admin_id,
                project_id=ws.project_id,
                expense_category_id=cat.id,
                spent_date=date(2026, 5, 1 + i % 28),
                total_cost=Decimal("1.10"),
                billable=i % 2 == 0,
                source="web",
            )
            for i in range(205)
        )
        s.commit()

    ws.run(seed)
    first = admin_web.get("/expenses", params={"source": "web"})
    assert first.status_code == 200
    assert "<strong>205</strong> expenses" in first.text and "(showing 1–200, newest first)" in first.text
    assert "225.50 USD" in first.text and "113.30 USD billable" in first.text  # all 205, not the 200 shown
    older = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert older is not None and 'rel="prev"' not in first.text
    second = admin_web.get(older.group(1).replace("&amp;", "&"))
    assert "(showing 201–205, newest first)" in second.text and 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text and "225.50 USD" in second.text
    assert len(set(re.findall(r"/expenses/(exp_\w+)", second.text))) == 5
    beyond = admin_web.get("/expenses", params={"source": "web", "page": "99"})
    assert "(showing 201–205, newest first)" in beyond.text  # past the end: the last page
    assert admin_web.get("/expenses", params={"page": "nope"}).status_code == 200

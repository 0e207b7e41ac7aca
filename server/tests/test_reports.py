"""Reports against a real server: the team time report (contract) and the summary that joins
time and cost (decisions §6)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from tests.support.contract import assert_matches
from tests.support.live import Workspace


def _entry(ws: Workspace, key: str | None, hours: float, **fields: Any) -> None:
    body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": "2026-03-02", "hours": hours, **fields}
    r = ws.api(key).post("time_entries", json=body)
    assert r.status_code == 201, r.text


def _llm_expense(ws: Workspace, user_id: str, total: str, model: str, session_id: str) -> None:
    """An LLM Usage expense written straight to the database (reports read, they do not price)."""
    from keito_server.db.models import Expense, ExpenseCategory
    from keito_server.domain.ids import new_id
    from sqlalchemy import select

    def write(s: Any, actor: Any) -> None:
        cat = s.scalars(
            select(ExpenseCategory).where(
                ExpenseCategory.account_id == ws.account_id, ExpenseCategory.builtin == "llm_usage"
            )
        ).one()
        s.add(
            Expense(
                id=new_id("expense"),
                account_id=ws.account_id,
                user_id=user_id,
                project_id=ws.project_id,
                expense_category_id=cat.id,
                spent_date=__import__("datetime").date(2026, 3, 2),
                total_cost=Decimal(total),
                pricing_method="model",
                cost_breakdown={"method": "model", "model": model},
                source="agent",
                metadata_={"model": model, "session_id": session_id},
                session_id=session_id,
            )
        )
        s.commit()

    ws.run(write)


def _populate(ws: Workspace) -> tuple[str, str]:
    bot_id, bot_key = ws.add_user("review-bot", user_type="agent")
    _entry(ws, None, 2)  # admin, 2 h at 150
    _entry(ws, None, 1, billable=False)
    meta = {"agent_id": "review-bot", "session_id": "s-1", "model": "claude-opus-4-6"}
    _entry(ws, bot_key, 0.5, source="agent", metadata=meta)
    _entry(ws, bot_key, 0.25, source="agent", metadata={**meta, "session_id": "s-2"})
    _llm_expense(ws, bot_id, "0.123456", "claude-opus-4-6", "s-1")
    _llm_expense(ws, bot_id, "0.000001", "gpt-5", "s-2")
    return bot_id, bot_key


def test_team_time_report(ws: Workspace) -> None:
    bot_id, bot_key = _populate(ws)
    api = ws.api()
    r = api.get("reports/time/team", params={"from": "20260301", "to": "2026-03-31"})
    assert r.status_code == 200, r.text
    assert_matches("getTeamTimeReport", r)
    body = r.json()
    by_user = {row["user_id"]: row for row in body["results"]}
    assert set(by_user) == {ws.admin_id, bot_id}
    admin = by_user[ws.admin_id]
    assert (admin["total_hours"], admin["billable_hours"], admin["billable_amount"]) == (3, 2, 300)
    assert by_user[bot_id]["total_hours"] == 0.75
    assert body["total_entries"] == 2
    paged = api.get("reports/time/team", params={"from": "20260301", "to": "20260331", "per_page": 1, "page": 2})
    assert len(paged.json()["results"]) == 1 and paged.json()["links"]["previous"]
    empty = api.get("reports/time/team", params={"from": "20250101", "to": "20250131"})
    assert empty.json()["results"] == [] and empty.json()["total_entries"] == 0
    member = ws.api(bot_key).get("reports/time/team", params={"from": "20260301", "to": "20260331"})
    assert member.status_code == 403 and member.json()["code"] == "authorization_error"
    assert_matches("getTeamTimeReport", member)
    v1 = ws.api(dialect="v1").get("reports/time/team", params={"from": "20260301", "to": "20260331"})
    assert v1.status_code == 200 and len(v1.json()["data"]) == 2


def test_report_dates_are_checked(ws: Workspace) -> None:
    api = ws.api()
    bad = [
        {"to": "20260331"},
        {"from": "20260301"},
        {"from": "2026-3-1", "to": "20260331"},
        {"from": "20260230", "to": "20260331"},
        {"from": "20260331", "to": "20260301"},
        {"from": "20250101", "to": "20260102"},  # 366 days apart
    ]
    for params in bad:
        r = api.get("reports/time/team", params=params)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["code"] == "validation_error"
        assert_matches("getTeamTimeReport", r)
    assert api.get("reports/time/team", params={"from": "20250101", "to": "20260101"}).status_code == 200
    v1 = ws.api(dialect="v1").get("reports/summary", params={"from": "x", "to": "20260101"})
    assert v1.status_code == 400 and v1.json()["error"]["field"] == "from"


def test_summary_groups(ws: Workspace) -> None:
    bot_id, bot_key = _populate(ws)
    api = ws.api()

    def rows(group_by: str, **params: Any) -> dict[str | None, dict[str, Any]]:
        r = api.get(
            "reports/summary", params={"from": "2026-03-01", "to": "2026-03-31", "group_by": group_by, **params}
        )
        assert r.status_code == 200, r.text
        return {row["key"]: row for row in r.json()["results"]}

    project = rows("project")[ws.project_id]
    assert project["label"] == "Acme Website"
    assert project["hours"] == 3.75 and project["billable_hours"] == 2.75
    assert project["billable_amount"] == 412.5
    assert project["llm_cost"] == 0.123457 and project["expense_total"] == 0.123457
    assert project["entries"] == 6 and project["currency"] == "USD"
    assert rows("client")[ws.client_id]["label"] == "Acme Corp"
    user_type = rows("user_type")
    assert user_type["agent"]["hours"] == 0.75 and user_type["human"]["hours"] == 3
    assert user_type["agent"]["llm_cost"] == 0.123457
    models = rows("model")
    assert models["claude-opus-4-6"]["hours"] == 0.75 and models["claude-opus-4-6"]["llm_cost"] == 0.123456
    assert models["gpt-5"]["llm_cost"] == 0.000001 and models[None]["hours"] == 3
    sessions = rows("session")
    assert sessions["s-1"]["hours"] == 0.5 and sessions["s-2"]["llm_cost"] == 0.000001
    assert rows("agent")["review-bot"]["hours"] == 0.75
    assert set(rows("source")) == {"api", "agent"}
    assert rows("task")[ws.task_id]["label"] == "Development"
    assert rows("user", source="agent")[bot_id]["hours"] == 0.75
    assert rows("project", user_id=bot_id)[ws.project_id]["hours"] == 0.75
    assert rows("project", client_id="cli_nothing") == {}
    hosting = api.post("expense_categories", json={"name": "Hosting"}).json()["id"]
    hosted = {"project_id": ws.project_id, "expense_category_id": hosting, "spent_date": "2026-03-05"}
    assert api.post("expenses", json={**hosted, "total_cost": "20.05"}).status_code == 201
    categories = rows("category")  # expenses only: time has no category
    assert set(categories) == {"cat_llm_usage", hosting}
    assert categories["cat_llm_usage"]["label"] == "LLM Usage" and categories["cat_llm_usage"]["entries"] == 2
    assert categories["cat_llm_usage"]["expense_total"] == 0.123457 and categories["cat_llm_usage"]["hours"] == 0
    assert (categories[hosting]["label"], categories[hosting]["expense_total"]) == ("Hosting", 20.05)
    bad = api.get("reports/summary", params={"from": "20260301", "to": "20260331", "group_by": "colour"})
    assert bad.status_code == 400 and bad.json()["field"] == "group_by"
    bad_source = api.get("reports/summary", params={"from": "20260301", "to": "20260331", "source": "fax"})
    assert bad_source.status_code == 400
    assert ws.api(bot_key).get("reports/summary", params={"from": "20260301", "to": "20260331"}).status_code == 403


def test_summary_csv_is_exact(ws: Workspace) -> None:
    _populate(ws)
    r = ws.api().get(
        "reports/summary", params={"from": "20260301", "to": "20260331", "group_by": "model", "format": "csv"}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    by_key = {row["key"]: row for row in table}
    assert by_key["gpt-5"]["llm_cost"] == "0.000001"
    assert by_key["claude-opus-4-6"]["hours"] == "0.750000"
    assert (
        ws.api().get("reports/summary", params={"from": "20260301", "to": "20260331", "format": "xml"}).status_code
        == 400
    )


def test_summary_service_directly(ws: Workspace) -> None:
    """The web app calls services.reports.summary; its rows carry exact Decimals."""
    _populate(ws)
    from datetime import date

    from keito_server.services.reports import ReportRow, summary

    rows = ws.run(
        lambda s, actor: summary(s, actor, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), group_by="project")
    )
    assert len(rows) == 1 and isinstance(rows[0], ReportRow)
    assert rows[0].billable_amount == Decimal("412.5") and rows[0].llm_cost == Decimal("0.123457")

"""Timesheet approvals (decisions §5, inventory §1.12, ADR 0904) against a real server on both
databases and in both dialects: submit a period, approve (rows lock), reject with a reason (rows
editable, submitted again), withdraw; who may do what; and every refusal writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator

from tests.support.live import Workspace

WEEK = {"period_start": "2026-03-02", "period_end": "2026-03-08"}


def _log(ws: Workspace, key: str, day: str, hours: float, billable: bool = True) -> str:
    body = {"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": day, "hours": hours}
    r = ws.api(key).post("time_entries", json={**body, "billable": billable})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _expense(ws: Workspace, key: str, day: str, amount: str) -> str:
    body = {"project_id": ws.project_id, "expense_category_id": "cat_llm_usage", "spent_date": day}
    r = ws.api(key).post("expenses", json={**body, "total_cost": amount})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _valid(ws: Workspace, path: str, method: str, r: httpx.Response) -> None:
    doc = httpx.get(f"{ws.server.url}/openapi.json", timeout=30).json()
    schema = doc["paths"][path][method]["responses"][str(r.status_code)]["content"]["application/json"]["schema"]
    OAS30Validator(schema).validate(r.json())


def _status(ws: Workspace, kind: str, row_id: str) -> str:
    return str(ws.api().get(f"{kind}/{row_id}").json()["approval_status"])


def _team(ws: Workspace) -> dict[str, Any]:
    manager_id, manager_key = ws.add_user("Max", roles=["manager", "member"])
    member_id, member_key = ws.add_user("Mia")
    return {
        "manager": (manager_id, manager_key),
        "member": (member_id, member_key),
        "entries": [_log(ws, member_key, "2026-03-02", 2), _log(ws, member_key, "2026-03-04", 1.5, billable=False)],
        "outside": _log(ws, member_key, "2026-03-09", 1),
        "expense": _expense(ws, member_key, "2026-03-03", "12.50"),
    }


def test_submit_approve_reject_resubmit_withdraw(ws: Workspace) -> None:
    t = _team(ws)
    member_id, member_key = t["member"]
    _, manager_key = t["manager"]
    member, mgr = ws.api(member_key), ws.api(manager_key)

    submitted = member.post("approvals", json=WEEK)
    assert submitted.status_code == 201, submitted.text
    _valid(ws, "/api/v2/approvals", "post", submitted)
    a = submitted.json()
    assert (a["status"], a["user_id"], a["period_start"], a["period_end"]) == ("submitted", member_id, *WEEK.values())
    assert (a["hours"], a["billable_hours"], a["time_entries_count"], a["expenses_count"]) == (3.5, 2, 2, 1)
    assert a["expense_total"] == 12.5 and a["decided_by"] is None
    assert {_status(ws, "time_entries", e) for e in t["entries"]} == {"submitted"}
    assert _status(ws, "time_entries", t["outside"]) == "unsubmitted"
    assert _status(ws, "expenses", t["expense"]) == "submitted"
    # Submitted rows are read-only for their owner; there is nothing left to submit.
    locked = member.patch(f"time_entries/{t['entries'][0]}", json={"notes": "late edit"})
    assert locked.status_code == 409 and locked.json()["code"] == "entry_locked"
    again = member.post("approvals", json=WEEK)
    assert again.status_code == 422 and again.json()["code"] == "nothing_to_submit"

    # Lists: the member sees their own, the manager the people they manage.
    assert [x["id"] for x in member.get("approvals").json()["approvals"]] == [a["id"]]
    queue = mgr.get("approvals", params={"status": "submitted"})
    _valid(ws, "/api/v2/approvals", "get", queue)
    assert [x["id"] for x in queue.json()["approvals"]] == [a["id"]]
    assert mgr.get("approvals", params={"status": "approved"}).json()["approvals"] == []

    # Reject needs a reason; then the rows can be fixed and submitted again.
    no_reason = mgr.post(f"approvals/{a['id']}/reject", json={"reason": "  "})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    rejected = mgr.post(f"approvals/{a['id']}/reject", json={"reason": "Split the Tuesday entry by task."})
    assert rejected.status_code == 200, rejected.text
    _valid(ws, "/api/v2/approvals/{id}/reject", "post", rejected)
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "Split the Tuesday entry by task.")
    assert rejected.json()["decided_by"]["name"] == "Max"
    assert _status(ws, "time_entries", t["entries"][0]) == "rejected"
    assert member.patch(f"time_entries/{t['entries'][0]}", json={"notes": "split"}).status_code == 200
    twice = mgr.post(f"approvals/{a['id']}/approve")
    assert twice.status_code == 409 and twice.json()["code"] == "approval_state"

    second = member.post("approvals", json=WEEK).json()
    assert second["id"] != a["id"] and second["time_entries_count"] == 2
    approved = mgr.post(f"approvals/{second['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert {_status(ws, "time_entries", e) for e in t["entries"]} == {"approved"}
    # Approved rows are locked for everyone but administrators' withdrawal.
    assert member.patch(f"time_entries/{t['entries'][1]}", json={"notes": "x"}).status_code == 409
    assert member.delete(f"expenses/{t['expense']}").status_code == 409

    withdrawn = mgr.post(f"approvals/{second['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "submitted"
    assert withdrawn.json()["decided_at"] is None
    assert _status(ws, "expenses", t["expense"]) == "submitted"
    got = ws.api(dialect="v1").get(f"approvals/{second['id']}")
    assert got.status_code == 200 and got.json()["status"] == "submitted"


def test_who_may_approve(ws: Workspace) -> None:
    t = _team(ws)
    manager_id, manager_key = t["manager"]
    member_id, member_key = t["member"]
    admin, mgr, member = ws.api(), ws.api(manager_key), ws.api(member_key)
    a = member.post("approvals", json=WEEK).json()

    refused = member.post(f"approvals/{a['id']}/approve")
    assert refused.status_code == 403 and refused.json()["code"] == "authorization_error"
    # A manager's own time needs someone else.
    _log(ws, manager_key, "2026-03-02", 1)
    own = mgr.post("approvals", json=WEEK).json()
    self_approval = mgr.post(f"approvals/{own['id']}/approve")
    assert self_approval.status_code == 403 and "your own time" in self_approval.json()["error_description"]
    assert admin.post(f"approvals/{own['id']}/approve").json()["status"] == "approved"
    # Withdrawing needs its permission.
    assert mgr.post(f"approvals/{a['id']}/approve").status_code == 200
    off = admin.patch(f"users/{manager_id}", json={"manager_permissions": {"withdraw_approvals": False}})
    assert off.status_code == 200 and off.json()["manager_permissions"]["withdraw_approvals"] is False
    no = mgr.post(f"approvals/{a['id']}/withdraw")
    assert no.status_code == 403 and "withdraw approvals" in no.json()["error_description"]
    assert admin.get(f"approvals/{a['id']}").json()["status"] == "approved"
    # A manager restricted to other teammates does not see this person's submissions.
    other_id, _ = ws.add_user("Otto")
    assert admin.patch(f"users/{manager_id}/teammates", json={"teammate_ids": [other_id]}).status_code == 200
    assert mgr.get(f"approvals/{a['id']}").status_code == 404
    assert mgr.get("approvals", params={"user_id": member_id}).json()["approvals"] == []


def test_bad_submissions_write_nothing(ws: Workspace) -> None:
    t = _team(ws)
    _, member_key = t["member"]
    member = ws.api(member_key)

    def bad(body: Any, status: int, code: str, field: str | None = None, dialect: str = "v2") -> None:
        r = ws.api(member_key, dialect=dialect).post("approvals", json=body)
        assert r.status_code == status, r.text
        err = r.json()["error"] if dialect == "v1" else r.json()
        assert err["code"] == code, err
        if field:
            assert err["field"] == field, err

    bad({"period_start": "2026-03-08", "period_end": "2026-03-02"}, 400, "validation_error", "period_end")
    bad({"period_start": "2026-02-30", "period_end": "2026-03-02"}, 400, "validation_error", "period_start")
    bad({"period_start": "2026-03-02"}, 400, "validation_error", "period_end")
    bad({"period_start": "2025-01-01", "period_end": "2026-03-08"}, 400, "validation_error", "period_end")
    bad({"period_start": "2020-01-06", "period_end": "2020-01-12"}, 422, "nothing_to_submit")
    bad({**WEEK, "user_id": ws.admin_id}, 403, "authorization_error")
    bad({"period_start": "2026-03-08"}, 400, "validation_error", "period_end", dialect="v1")
    ws.update_account(feature_approvals=False)
    bad(WEEK, 422, "approvals_disabled")
    ws.update_account(feature_approvals=True)
    assert member.get("approvals").json()["approvals"] == []
    assert {_status(ws, "time_entries", e) for e in t["entries"]} == {"unsubmitted"}
    unknown = ws.api().post("approvals/apr_nope/approve")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    bad_status = ws.api().get("approvals", params={"status": "pending"})
    assert bad_status.status_code == 400 and bad_status.json()["field"] == "status"

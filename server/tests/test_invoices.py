"""Invoices, invoice messages and payments against a real server (inventory §1.14, decisions §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from keito_server.domain.invoice_math import LineInput, format_number, totals

from tests.support.contract import assert_matches
from tests.support.live import Workspace

D = Decimal


# ── pure arithmetic ────────────────────────────────────────────────────────────────────


def test_three_tenths_are_exactly_three_tenths() -> None:
    t = totals([LineInput(D(3), D("0.1"))] * 3, "USD")
    assert t.line_amounts == (D("0.30"),) * 3
    assert t.amount == D("0.90")


def test_tax_rounds_half_even_on_taxed_lines_only() -> None:
    # 10.25 × 10 % = 1.025 -> 1.02 (half-even; half-up would say 1.03)
    t = totals([LineInput(D(1), D("10.25"), taxed=True), LineInput(D(1), D(5))], "USD", tax=D(10))
    assert t.tax_amount == D("1.02")
    assert t.amount == D("16.27")
    # 10.35 × 10 % = 1.035 -> 1.04 (half-even rounds to the even cent)
    assert totals([LineInput(D(1), D("10.35"), taxed=True)], "USD", tax=D(10)).tax_amount == D("1.04")


def test_discount_applies_before_tax_and_yen_has_no_cents() -> None:
    t = totals([LineInput(D(2), D(100), taxed=True, taxed2=True)], "USD", tax=D(20), tax2=D(5), discount=D(10))
    assert (t.discount_amount, t.tax_amount, t.tax2_amount, t.amount) == (D(20), D(36), D(9), D(225))
    assert totals([LineInput(D("1.5"), D(333))], "JPY").amount == D(500)  # 499.5 -> 500 (even)


def test_number_pattern() -> None:
    assert format_number("INV-{YYYY}-{####}", 7, date(2026, 3, 6)) == "INV-2026-0007"
    assert format_number("{YY}{MM}-{##}", 123, date(2026, 3, 6)) == "2603-123"


# ── helpers ────────────────────────────────────────────────────────────────────────────


def _invoice(ws: Workspace, key: str | None = None, **fields: Any) -> Any:
    body: dict[str, Any] = {
        "client_id": ws.client_id,
        "issue_date": "2026-03-06",
        "line_items": [{"description": "Work", "quantity": 3, "unit_price": 0.1, "taxed": True}],
        **fields,
    }
    return ws.api(key).post("invoices", json=body)


def _entry(ws: Workspace, hours: float, day: str = "2026-03-02", **fields: Any) -> str:
    r = ws.api().post(
        "time_entries",
        json={"project_id": ws.project_id, "task_id": ws.task_id, "spent_date": day, "hours": hours, **fields},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


# ── CRUD, contract, numbering ──────────────────────────────────────────────────────────


def test_create_get_list_match_contract(ws: Workspace) -> None:
    r = _invoice(ws, tax=10, subject="March")
    assert r.status_code == 201, r.text
    assert_matches("createInvoice", r)
    inv = r.json()
    assert inv["number"] == "INV-2026-0001"
    assert inv["state"] == "draft"
    assert inv["amount"] == 0.33 and inv["due_amount"] == 0.33 and inv["tax_amount"] == 0.03
    assert inv["line_items"][0]["amount"] == 0.3
    assert inv["currency"] == "USD"
    assert inv["payment_term"] == "net_30" and inv["due_date"] == "2026-04-05"
    assert inv["client"] == {"id": ws.client_id, "name": "Acme Corp"}
    api = ws.api()
    got = api.get(f"invoices/{inv['id']}")
    assert got.status_code == 200
    assert_matches("getInvoice", got)
    listing = api.get("invoices", params={"state": "draft", "client_id": ws.client_id})
    assert_matches("listInvoices", listing)
    assert [i["id"] for i in listing.json()["invoices"]] == [inv["id"]]
    second = _invoice(ws, payment_term="upon_receipt")
    assert second.json()["number"] == "INV-2026-0002"
    assert second.json()["due_date"] == "2026-03-06"
    assert api.get("invoices", params={"state": "open"}).json()["invoices"] == []


def test_v1_dialect(ws: Workspace) -> None:
    api = ws.api(dialect="v1")
    r = api.post("invoices", json={"client_id": ws.client_id, "line_items": [{"quantity": 1, "unit_price": 5}]})
    assert r.status_code == 201, r.text
    listing = api.get("invoices")
    assert listing.json()["data"][0]["id"] == r.json()["id"] and listing.json()["has_more"] is False
    missing = api.get("invoices/inv_nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_bad_input_is_400_with_code(ws: Workspace) -> None:
    api = ws.api()
    cases = [
        {},  # client_id missing
        {"client_id": ws.client_id, "payment_term": "net_7"},
        {"client_id": ws.client_id, "tax": -1},
        {"client_id": ws.client_id, "tax": 101},
        {"client_id": ws.client_id, "issue_date": "2026-03-06", "due_date": "2026-03-01"},
        {"client_id": ws.client_id, "payment_term": "custom"},
        {"client_id": ws.client_id, "line_items": [{"quantity": "many"}]},
        {"client_id": ws.client_id, "issue_date": "06/03/2026"},
        {"client_id": ws.client_id, "subject": "nul\u0000byte"},  # PostgreSQL text cannot hold it
        {"client_id": ws.client_id, "notes": "nul\u0000byte"},
    ]
    for body in cases:
        r = api.post("invoices", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["code"] == "validation_error"
        assert_matches("createInvoice", r)
    unknown = api.post("invoices", json={"client_id": "cli_nope"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_permissions(ws: Workspace) -> None:
    _, member = ws.add_user("Mo", roles=["member"])
    _, manager = ws.add_user("Meg", roles=["manager"])
    assert _invoice(ws, member).status_code == 403
    assert ws.api(member).get("invoices").status_code == 403
    made = _invoice(ws, manager)
    assert made.status_code == 201
    inv_id = made.json()["id"]
    assert ws.api(member).get(f"invoices/{inv_id}").status_code == 403
    assert ws.api(member).patch(f"invoices/{inv_id}", json={"subject": "x"}).status_code == 403
    assert ws.api(manager).patch(f"invoices/{inv_id}", json={"subject": "x"}).status_code == 200
    denied = ws.api(manager).delete(f"invoices/{inv_id}")
    assert denied.status_code == 403 and denied.json()["code"] == "authorization_error"
    assert_matches("deleteInvoice", denied)
    gone = ws.api().delete(f"invoices/{inv_id}")
    assert gone.status_code == 200 and gone.json() == {"id": inv_id, "deleted": True}
    assert_matches("deleteInvoice", gone)
    assert ws.api().get(f"invoices/{inv_id}").status_code == 404


def test_update_recomputes_and_open_invoice_is_frozen(ws: Workspace) -> None:
    api = ws.api()
    inv = _invoice(ws).json()
    r = api.patch(f"invoices/{inv['id']}", json={"tax": 20, "discount": 10, "notes": "thanks"})
    assert r.status_code == 200, r.text
    assert_matches("updateInvoice", r)
    body = r.json()
    # 0.30 - 0.03 discount; tax 20 % of 0.27 = 0.054 -> 0.05
    assert (body["discount_amount"], body["tax_amount"], body["amount"]) == (0.03, 0.05, 0.32)
    lines = api.patch(f"invoices/{inv['id']}", json={"line_items": [{"quantity": 2, "unit_price": 10}]}).json()
    assert lines["line_items"][0]["amount"] == 20 and lines["amount"] == 18  # 20 - 2 discount, untaxed
    sent = api.post(
        f"invoices/{inv['id']}/messages", json={"recipients": [{"name": "Acme AP", "email": "ap@acme.test"}]}
    )
    assert sent.status_code == 201, sent.text
    assert_matches("sendInvoice", sent)
    assert sent.json()["event_type"] == "send"
    now_open = api.get(f"invoices/{inv['id']}").json()
    assert now_open["state"] == "open" and now_open["sent_at"]
    frozen = api.patch(f"invoices/{inv['id']}", json={"subject": "late change"})
    assert frozen.status_code == 409 and frozen.json()["code"] == "invoice_not_draft"
    not_draft = api.delete(f"invoices/{inv['id']}")
    assert not_draft.status_code == 409
    msgs = api.get(f"invoices/{inv['id']}/messages")
    assert_matches("listInvoiceMessages", msgs)
    assert msgs.json()["total_entries"] == 1


def test_messages_payments_and_closing(ws: Workspace) -> None:
    api = ws.api()
    inv = _invoice(ws, line_items=[{"quantity": 1, "unit_price": 100}]).json()
    rcpt = {"recipients": [{"name": "AP", "email": "ap@acme.test"}]}
    early = api.post(f"invoices/{inv['id']}/messages", json={**rcpt, "event_type": "reminder"})
    assert early.status_code == 409
    no_rcpt = api.post(f"invoices/{inv['id']}/messages", json={"event_type": "send"})
    assert no_rcpt.status_code == 400 and no_rcpt.json()["field"] == "recipients"
    draft_pay = api.post(f"invoices/{inv['id']}/payments", json={"amount": 10})
    assert draft_pay.status_code == 409
    assert api.post(f"invoices/{inv['id']}/messages", json=rcpt).status_code == 201
    reminder = api.post(f"invoices/{inv['id']}/messages", json={**rcpt, "event_type": "reminder"})
    assert reminder.json()["reminder"] is True
    p1 = api.post(f"invoices/{inv['id']}/payments", json={"amount": 40.10, "paid_date": "2026-03-10"})
    assert p1.status_code == 201, p1.text
    assert api.get(f"invoices/{inv['id']}").json()["due_amount"] == 59.9
    too_much = api.post(f"invoices/{inv['id']}/payments", json={"amount": 60})
    assert too_much.status_code == 422 and too_much.json()["code"] == "payment_exceeds_due"
    assert api.post(f"invoices/{inv['id']}/payments", json={"amount": 0}).status_code == 400
    p2 = api.post(f"invoices/{inv['id']}/payments", json={"amount": 59.90})
    paid = api.get(f"invoices/{inv['id']}").json()
    assert paid["state"] == "paid" and paid["paid_at"] and paid["due_amount"] == 0
    payments = api.get(f"invoices/{inv['id']}/payments").json()
    assert payments["total_entries"] == 2
    assert api.delete(f"invoices/{inv['id']}/payments/{p2.json()['id']}").status_code == 200
    reopened = api.get(f"invoices/{inv['id']}").json()
    assert reopened["state"] == "open" and reopened["paid_at"] is None and reopened["due_amount"] == 59.9
    close = api.post(f"invoices/{inv['id']}/messages", json={"event_type": "close"})
    assert close.status_code == 201
    closed = api.get(f"invoices/{inv['id']}").json()
    assert closed["state"] == "closed" and closed["closed_at"]
    assert api.post(f"invoices/{inv['id']}/payments", json={"amount": 1}).status_code == 409
    assert api.post(f"invoices/{inv['id']}/messages", json={"event_type": "re-open"}).status_code == 201
    assert api.get(f"invoices/{inv['id']}").json()["state"] == "open"
    thanks = api.post(f"invoices/{inv['id']}/messages", json={**rcpt, "event_type": "thank_you"})
    assert thanks.json()["thank_you"] is True


def test_import_bills_time_and_delete_releases_it(ws: Workspace) -> None:
    api = ws.api()
    a = _entry(ws, 1.5, notes="auth")
    b = _entry(ws, 0.25, day="2026-03-03")
    outside = _entry(ws, 2, day="2026-04-01")
    unbillable = _entry(ws, 1, billable=False)
    r = api.post(
        "invoices",
        json={
            "client_id": ws.client_id,
            "issue_date": "2026-03-31",
            "import": {"from": "2026-03-01", "to": "2026-03-31", "group_by": "project", "include_unapproved": True},
        },
    )
    assert r.status_code == 201, r.text
    inv = r.json()
    assert_matches("createInvoice", r)
    assert len(inv["line_items"]) == 1
    line = inv["line_items"][0]
    assert line["quantity"] == 1.75 and line["unit_price"] == 150 and line["amount"] == 262.5
    assert line["project_id"] == ws.project_id
    assert inv["period_start"] == "2026-03-01" and inv["period_end"] == "2026-03-31"
    for entry_id in (a, b):
        e = api.get(f"time_entries/{entry_id}").json()
        assert e["is_billed"] is True and e["is_locked"] is True
    assert api.get(f"time_entries/{outside}").json()["is_billed"] is False
    assert api.get(f"time_entries/{unbillable}").json()["is_billed"] is False
    locked = api.patch(f"time_entries/{a}", json={"hours": 3})
    assert locked.status_code == 409 and locked.json()["code"] == "entry_locked"
    again = api.post("invoices", json={"client_id": ws.client_id, "import": {"from": "2026-03-01", "to": "2026-03-31"}})
    assert again.status_code == 422 and again.json()["code"] == "nothing_to_invoice"
    assert api.delete(f"invoices/{inv['id']}").status_code == 200
    released = api.get(f"time_entries/{a}").json()
    assert released["is_billed"] is False and released["invoice_id"] is None


@pytest.mark.parametrize("group_by,lines", [("task", 2), ("person", 1), ("detailed", 3)])
def test_import_grouping(ws: Workspace, group_by: str, lines: int) -> None:
    _entry(ws, 1)
    _entry(ws, 2)
    _entry(ws, 0.5, task_id=ws.other_task_id)
    r = ws.api().post(
        "invoices",
        json={
            "client_id": ws.client_id,
            "import": {"from": "2026-03-01", "to": "2026-03-31", "group_by": group_by, "include_unapproved": True},
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["line_items"]) == lines
    assert body["amount"] == 3.5 * 150


def test_numbers_stay_unique_under_concurrency(ws: Workspace) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ws.update_account(invoice_number_pattern="K{YY}-{###}", next_invoice_number=41)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: _invoice(ws), range(12)))
    assert [r.status_code for r in results] == [201] * 12, [r.text for r in results if r.status_code != 201]
    numbers = sorted(r.json()["number"] for r in results)
    assert numbers == [f"K26-{n:03d}" for n in range(41, 53)]


def test_import_takes_only_approved_work_by_default(ws: Workspace) -> None:
    from keito_server.db.models import TimeEntry

    approved = _entry(ws, 2)
    _entry(ws, 1)  # unsubmitted
    rejected = _entry(ws, 4)

    def set_status(s: Any, _actor: Any) -> None:
        s.get(TimeEntry, approved).approval_status = "approved"
        s.get(TimeEntry, rejected).approval_status = "rejected"
        s.commit()

    ws.run(set_status)
    period = {"from": "2026-03-01", "to": "2026-03-31"}
    r = ws.api().post("invoices", json={"client_id": ws.client_id, "import": period})
    assert r.status_code == 201, r.text
    assert r.json()["amount"] == 300  # the approved 2 h only
    documented = ws.api().post(
        "invoices", json={"client_id": ws.client_id, "import": {**period, "include_unapproved": True}}
    )
    assert documented.json()["amount"] == 150  # the unsubmitted hour; rejected work never
    ws.update_account(feature_approvals=False)
    nothing = ws.api().post("invoices", json={"client_id": ws.client_id, "import": period})
    assert nothing.status_code == 422 and nothing.json()["code"] == "nothing_to_invoice"

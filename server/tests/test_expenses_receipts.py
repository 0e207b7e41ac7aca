"""Receipts: one file per expense (PNG, JPEG, GIF, PDF by their bytes; at most 10 MB), stored
in the data directory and served only to those who may see the expense."""

from __future__ import annotations

from typing import Any

from tests.support.live import Workspace

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
TEN_MB = 10 * 1024 * 1024


def new_expense(ws: Workspace, key: str | None = None, dialect: str = "v2") -> dict[str, Any]:
    r = ws.api(key, dialect=dialect).post(
        "expenses",
        json={
            "project_id": ws.project_id,
            "expense_category_id": "cat_llm_usage",
            "spent_date": "2026-03-06",
            "total_cost": 12,
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def upload(
    ws: Workspace, eid: str, content: bytes, name: str = "r.png", key: str | None = None, dialect: str = "v2"
) -> Any:
    return ws.api(key, dialect=dialect).post(
        f"expenses/{eid}/receipt", files={"receipt": (name, content, "application/octet-stream")}
    )


def receipt_files(ws: Workspace) -> list[str]:
    """The receipt files stored for this workspace, as "<expense id>.<ext>" (the stored names
    also carry a random part per upload)."""
    folder = ws.server.data_dir / "receipts" / ws.account_id
    if not folder.exists():
        return []
    return sorted(f"{p.name.rsplit('-', 1)[0]}.{p.suffix.lstrip('.')}" for p in folder.iterdir())


def test_upload_serve_replace_delete(ws: Workspace) -> None:
    api = ws.api()
    e = new_expense(ws)
    eid = e["id"]
    assert e["receipt_url"] is None
    r = upload(ws, eid, PNG, "lunch.png")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["receipt_file_name"] == "lunch.png" and body["receipt_content_type"] == "image/png"
    assert body["receipt_url"].endswith(f"/api/v2/expenses/{eid}/receipt")
    got = api.get(body["receipt_url"].split(str(ws.server.url), 1)[1])
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert receipt_files(ws) == [f"{eid}.png"]
    # One per expense: a new upload replaces the old file. The name a client claims does not
    # decide the type; the bytes do.
    again = upload(ws, eid, PDF, "../../etc/scan.png")
    assert again.status_code == 200, again.text
    assert again.json()["receipt_content_type"] == "application/pdf"
    assert "/" not in again.json()["receipt_file_name"]
    assert api.get(f"expenses/{eid}/receipt").content == PDF
    assert receipt_files(ws) == [f"{eid}.pdf"]
    for content, ctype in ((JPEG, "image/jpeg"), (GIF, "image/gif")):
        assert upload(ws, eid, content, "x").json()["receipt_content_type"] == ctype
    assert api.delete(f"expenses/{eid}/receipt").status_code == 204
    assert api.get(f"expenses/{eid}").json()["receipt_url"] is None
    assert api.get(f"expenses/{eid}/receipt").status_code == 404
    assert receipt_files(ws) == []
    assert api.delete(f"expenses/{eid}/receipt").status_code == 404


def test_type_size_and_missing_field(ws: Workspace) -> None:
    eid = new_expense(ws)["id"]
    bad = upload(ws, eid, b"<html>not a receipt</html>", "r.png")
    assert bad.status_code == 415 and bad.json()["code"] == "unsupported_media_type"
    empty = upload(ws, eid, b"", "r.png")
    assert empty.status_code == 400
    at_limit = upload(ws, eid, PNG + b"\x00" * (TEN_MB - len(PNG)), "big.png")
    assert at_limit.status_code == 200, at_limit.text
    too_big = upload(ws, eid, PDF + b"\x00" * (TEN_MB - len(PDF) + 1), "huge.pdf")
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
    no_field = ws.api().post(f"expenses/{eid}/receipt", files={"file": ("r.png", PNG, "image/png")})
    assert no_field.status_code == 400 and no_field.json()["field"] == "receipt"
    # The earlier (at the limit) receipt is still the one stored.
    assert ws.api().get(f"expenses/{eid}").json()["receipt_content_type"] == "image/png"
    assert upload(ws, "exp_nope", PNG).status_code == 404


def test_only_those_who_see_the_expense_get_the_receipt(ws: Workspace, other_ws: Workspace) -> None:
    _, member_key = ws.add_user("Mia")
    _, other_member_key = ws.add_user("Otto")
    _, manager_key = ws.add_user("Max", roles=["manager", "member"])
    eid = new_expense(ws, member_key)["id"]
    assert upload(ws, eid, PNG, key=member_key).status_code == 200
    assert ws.api(member_key).get(f"expenses/{eid}/receipt").status_code == 200
    assert ws.api(manager_key).get(f"expenses/{eid}/receipt").status_code == 200
    assert ws.api(other_member_key).get(f"expenses/{eid}/receipt").status_code == 404
    assert upload(ws, eid, PNG, key=other_member_key).status_code == 404
    assert ws.api(other_member_key).delete(f"expenses/{eid}/receipt").status_code == 404
    assert other_ws.api().get(f"/api/v2/expenses/{eid}/receipt").status_code == 404
    anonymous = ws.api("kto_not_a_key").get(f"expenses/{eid}/receipt")
    assert anonymous.status_code == 401


def test_locked_expense_receipt_cannot_change(ws: Workspace) -> None:
    from keito_server.db.models import Expense

    eid = new_expense(ws)["id"]
    assert upload(ws, eid, PNG).status_code == 200

    def bill(s: Any, _: Any) -> None:
        s.get(Expense, eid).is_billed = True
        s.commit()

    ws.run(bill)
    r = upload(ws, eid, PDF)
    assert r.status_code == 409 and r.json()["code"] == "entry_locked"
    assert ws.api().delete(f"expenses/{eid}/receipt").status_code == 409
    assert ws.api().get(f"expenses/{eid}/receipt").content == PNG


def test_v1_receipts_and_delete_removes_file(ws: Workspace) -> None:
    e = new_expense(ws, dialect="v1")
    eid = e["id"]
    r = upload(ws, eid, GIF, "g.gif", dialect="v1")
    assert r.status_code == 200, r.text
    assert r.json()["receipt_url"].endswith(f"/v1/expenses/{eid}/receipt")
    assert ws.api(dialect="v1").get(f"expenses/{eid}/receipt").content == GIF
    bad = upload(ws, eid, b"plain text", dialect="v1")
    assert bad.status_code == 415 and bad.json()["error"]["code"] == "unsupported_media_type"
    assert ws.api(dialect="v1").delete(f"expenses/{eid}").status_code == 204
    assert receipt_files(ws) == []

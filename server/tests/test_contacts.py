"""Contacts through the v2 dialect against a real server: contract shapes, filters,
permissions, bad input and tenant isolation (inventory §1.6, §2.8.6)."""

from __future__ import annotations

from typing import Any

from tests.support.contract import assert_matches
from tests.support.live import Workspace


def test_create_list_get_update_delete(ws: Workspace) -> None:
    api = ws.api()
    other_client = api.post("clients", json={"name": "Globex"}).json()
    created = api.post(
        "contacts",
        json={
            "client_id": ws.client_id,
            "first_name": "Ann",
            "last_name": "Lee",
            "title": "CFO",
            "email": "ann@acme.example",
            "phone_office": "+1 555 0100",
        },
    )
    assert created.status_code == 201, created.text
    assert_matches("createContact", created)
    body = created.json()
    assert body["id"].startswith("con_")
    assert body["client"] == {"id": ws.client_id, "name": "Acme Corp"}
    assert api.post("contacts", json={"client_id": other_client["id"], "first_name": "Bob"}).status_code == 201

    listing = api.get("contacts")
    assert listing.status_code == 200
    assert_matches("listContacts", listing)
    assert listing.json()["total_entries"] == 2
    mine = api.get("contacts", params={"client_id": ws.client_id}).json()
    assert [c["first_name"] for c in mine["contacts"]] == ["Ann"]

    got = api.get(f"contacts/{body['id']}")
    assert got.status_code == 200 and got.json() == body
    moved = api.patch(f"contacts/{body['id']}", json={"client_id": other_client["id"], "title": None})
    assert moved.status_code == 200, moved.text
    assert moved.json()["client"]["name"] == "Globex" and moved.json()["title"] is None
    assert moved.json()["last_name"] == "Lee"
    blanked = api.patch(f"contacts/{body['id']}", json={"email": ""})
    assert blanked.status_code == 200 and blanked.json()["email"] is None
    assert api.delete(f"contacts/{body['id']}").status_code == 204
    assert api.get(f"contacts/{body['id']}").status_code == 404


def test_bad_contact_input(ws: Workspace) -> None:
    api = ws.api()
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"first_name": "Ann"}, 400, "client_id"),
        ({"client_id": ws.client_id}, 400, "first_name"),
        ({"client_id": ws.client_id, "first_name": "  "}, 400, "first_name"),
        ({"client_id": ws.client_id, "first_name": "Ann", "email": "not-an-email"}, 400, "email"),
        ({"client_id": "cli_nope", "first_name": "Ann"}, 404, "client_id"),
    ]
    for body, status, field in cases:
        r = api.post("contacts", json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["field"] == field
        assert r.json()["code"] == ("not_found" if status == 404 else "validation_error")
    assert api.get("contacts").json()["total_entries"] == 0


def test_members_cannot_write_contacts(ws: Workspace) -> None:
    _, key = ws.add_user("Mia Member")
    r = ws.api(key).post("contacts", json={"client_id": ws.client_id, "first_name": "Ann"})
    assert r.status_code == 403 and r.json()["code"] == "authorization_error"
    assert ws.api(key).get("contacts").status_code == 200
    assert ws.api().get("contacts").json()["total_entries"] == 0


def test_another_workspace_contacts_are_404(ws: Workspace, other_ws: Workspace) -> None:
    contact = ws.api().post("contacts", json={"client_id": ws.client_id, "first_name": "Ann"}).json()
    theirs = other_ws.api()
    assert theirs.get(f"contacts/{contact['id']}").status_code == 404
    assert theirs.patch(f"contacts/{contact['id']}", json={"first_name": "X"}).status_code == 404
    assert theirs.delete(f"contacts/{contact['id']}").status_code == 404
    r = theirs.post("contacts", json={"client_id": ws.client_id, "first_name": "Spy"})
    assert r.status_code == 404 and r.json()["field"] == "client_id"
    assert theirs.get("contacts").json()["total_entries"] == 0
    assert ws.api().get(f"contacts/{contact['id']}").json()["first_name"] == "Ann"

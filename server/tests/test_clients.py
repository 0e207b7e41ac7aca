"""Clients through both dialects against a real server: contract shapes, permissions, bad input,
deletion rules and tenant isolation (decisions §1, §5; inventory §1.4, §1.6, §2.8.6)."""

from __future__ import annotations

from typing import Any

from tests.support.contract import assert_matches
from tests.support.live import Workspace


def _client(ws: Workspace, **fields: Any) -> dict[str, Any]:
    r = ws.api().post("clients", json={"name": "Globex", **fields})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_create_get_update_list_match_contract(ws: Workspace) -> None:
    api = ws.api()
    created = api.post(
        "clients",
        json={
            "name": "Globex",
            "address": "1 Main St",
            "currency": "eur",
            "payment_terms": "NET_15",
            "payment_days": 15,
            "tax": 20,
            "discount": 2.5,
        },
    )
    assert created.status_code == 201, created.text
    assert_matches("createClient", created)
    body = created.json()
    assert body["id"].startswith("cli_")
    assert (body["currency"], body["payment_terms"], body["tax"], body["discount"]) == ("EUR", "net_15", 20, 2.5)
    assert body["is_active"] is True and len(body["statement_key"]) == 32

    got = api.get(f"clients/{body['id']}")
    assert got.status_code == 200
    assert_matches("getClient", got)
    assert got.json() == body

    updated = api.patch(f"clients/{body['id']}", json={"address": "2 Side St", "is_active": False})
    assert updated.status_code == 200, updated.text
    assert_matches("updateClient", updated)
    assert updated.json()["address"] == "2 Side St" and updated.json()["name"] == "Globex"
    assert updated.json()["is_active"] is False

    listing = api.get("clients")
    assert listing.status_code == 200
    assert_matches("listClients", listing)
    assert {c["name"] for c in listing.json()["clients"]} == {"Acme Corp", "Globex"}
    active = api.get("clients", params={"is_active": "true"}).json()
    assert [c["name"] for c in active["clients"]] == ["Acme Corp"]
    archived = api.get("clients", params={"is_active": "false"}).json()
    assert [c["name"] for c in archived["clients"]] == ["Globex"]


def test_currency_defaults_to_workspace_and_updated_since(ws: Workspace) -> None:
    api = ws.api()
    body = _client(ws)
    assert body["currency"] == "USD" and body["payment_terms"] == "net_30"
    later = api.get("clients", params={"updated_since": "2999-01-01T00:00:00Z"}).json()
    assert later["clients"] == [] and later["total_entries"] == 0
    since = api.get("clients", params={"updated_since": body["created_at"]}).json()
    assert body["id"] in [c["id"] for c in since["clients"]]


def test_v1_clients_list_and_get(ws: Workspace) -> None:
    body = _client(ws)
    v1 = ws.api(dialect="v1")
    page = v1.get("clients", params={"limit": 1})
    assert page.status_code == 200
    first = page.json()
    assert len(first["data"]) == 1 and first["has_more"] is True and first["next_cursor"]
    rest = v1.get("clients", params={"cursor": first["next_cursor"]}).json()
    assert rest["has_more"] is False
    assert {c["id"] for c in first["data"] + rest["data"]} == {ws.client_id, body["id"]}
    one = v1.get(f"clients/{body['id']}")
    assert one.status_code == 200 and one.json()["name"] == "Globex"
    missing = v1.get("clients/cli_nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "Client not found", "field": None}}


BAD_CLIENTS: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({}, "name"),
    ({"name": "X", "currency": "EURO"}, "currency"),
    ({"name": "X", "currency": "E1"}, "currency"),
    ({"name": "X", "payment_terms": "net_90"}, "payment_terms"),
    ({"name": "X", "payment_days": -1}, "payment_days"),
    ({"name": "X", "tax": 101}, "tax"),
    ({"name": "X", "discount": "lots"}, "discount"),
    ({"name": "X", "is_active": "yes"}, "is_active"),
]


def test_bad_client_input_is_400_and_writes_nothing(ws: Workspace) -> None:
    api = ws.api()
    for body, field in BAD_CLIENTS:
        r = api.post("clients", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["code"] == "validation_error", body
        assert r.json()["field"] == field, body
        assert r.json()["error"] == "bad request"
        assert r.json()["error_description"]
    v1 = ws.api(dialect="v1").get("clients", params={"limit": 0})
    assert v1.status_code == 400 and v1.json()["error"]["code"] == "validation_error"
    assert api.get("clients").json()["total_entries"] == 1


def test_bad_update_changes_nothing(ws: Workspace) -> None:
    api = ws.api()
    body = _client(ws, address="here")
    r = api.patch(f"clients/{body['id']}", json={"address": "there", "currency": "dollars"})
    assert r.status_code == 400 and r.json()["field"] == "currency"
    assert api.get(f"clients/{body['id']}").json()["address"] == "here"
    bad_query = api.get("clients", params={"updated_since": "yesterday"})
    assert bad_query.status_code == 400 and bad_query.json()["field"] == "updated_since"


def test_members_read_but_cannot_write(ws: Workspace) -> None:
    _, key = ws.add_user("Mia Member")
    member = ws.api(key)
    assert member.get("clients").status_code == 200
    for r in (
        member.post("clients", json={"name": "Nope"}),
        member.patch(f"clients/{ws.client_id}", json={"name": "Renamed"}),
        member.delete(f"clients/{ws.client_id}"),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "authorization_error"
        assert "managers and administrators" in r.json()["error_description"]
    assert ws.api().get(f"clients/{ws.client_id}").json()["name"] == "Acme Corp"
    _, manager_key = ws.add_user("Max Manager", roles=["manager"])
    assert ws.api(manager_key).post("clients", json={"name": "Managed"}).status_code == 201


def test_delete_rules(ws: Workspace) -> None:
    api = ws.api()
    refused = api.delete(f"clients/{ws.client_id}")
    assert refused.status_code == 409
    assert refused.json()["code"] == "client_has_projects"
    assert "archive" in refused.json()["error_description"]
    body = _client(ws)
    contact = api.post("contacts", json={"client_id": body["id"], "first_name": "Ann"})
    assert contact.status_code == 201
    assert api.delete(f"clients/{body['id']}").status_code == 204
    assert api.get(f"clients/{body['id']}").status_code == 404
    assert api.get(f"contacts/{contact.json()['id']}").status_code == 404
    assert api.delete(f"clients/{body['id']}").status_code == 404


def test_another_workspace_client_is_404(ws: Workspace, other_ws: Workspace) -> None:
    theirs = other_ws.api()
    for r in (
        theirs.get(f"clients/{ws.client_id}"),
        theirs.patch(f"clients/{ws.client_id}", json={"name": "Hijacked"}),
        theirs.delete(f"clients/{ws.client_id}"),
        other_ws.api(dialect="v1").get(f"clients/{ws.client_id}"),
    ):
        assert r.status_code == 404, r.text
    assert ws.client_id not in [c["id"] for c in theirs.get("clients").json()["clients"]]
    assert ws.api().get(f"clients/{ws.client_id}").json()["name"] == "Acme Corp"

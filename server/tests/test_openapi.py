"""Our /openapi.json states the v2 contract's responses exactly and derives the rest from it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from keito_server.api.openapi import CONTRACT_PATH, contract_operations, resolve
from keito_server.app import create_app
from keito_server.settings import Settings

from tests.support.contract import SPEC_PATH
from tests.support.live import LiveServer

# Operation ids are public (SDKs, docs, schemathesis reports): renaming one is a breaking change.
OWN_OPERATION_IDS = {
    "listInvoices",
    "createInvoice",
    "getInvoice",
    "updateInvoice",
    "deleteInvoice",
    "listInvoiceMessages",
    "sendInvoice",
    "listInvoicePayments",
    "createInvoicePayment",
    "deleteInvoicePayment",
    "getTeamTimeReport",
    "getSummaryReport",
    "v1ListInvoices",
    "v1CreateInvoice",
    "v1GetInvoice",
    "v1UpdateInvoice",
    "v1DeleteInvoice",
    "v1ListInvoiceMessages",
    "v1SendInvoice",
    "v1ListInvoicePayments",
    "v1CreateInvoicePayment",
    "v1DeleteInvoicePayment",
    "v1GetTeamTimeReport",
    "v1GetSummaryReport",
}


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(_settings(str(tmp_path_factory.mktemp("openapi"))))
    return app.openapi()


def _settings(data_dir: str) -> Settings:
    return Settings.from_env({"KEITO_DATA_DIR": data_dir, "KEITO_SECRET_KEY": "test"})


def _ops(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ms in doc["paths"].items() for m, op in ms.items() if isinstance(op, dict)]


def test_packaged_contract_is_the_reference_yaml() -> None:
    assert json.loads(CONTRACT_PATH.read_text()) == yaml.safe_load(SPEC_PATH.read_text())


def test_operation_ids_are_unique_stable_and_named(doc: dict[str, Any]) -> None:
    ids = [op.get("operationId") for _, p, op in _ops(doc) if p.startswith(("/api/v2/", "/v1/"))]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for method, path, op in _ops(doc):
        op_id = op.get("operationId", "")
        if path.startswith("/v1/"):
            assert re.fullmatch(r"v1[A-Z][A-Za-z]+", op_id), (method, path, op_id)
        elif path.startswith("/api/v2/"):
            assert re.fullmatch(r"[a-z][A-Za-z]+", op_id), (method, path, op_id)
    assert set(ids) >= OWN_OPERATION_IDS
    assert set(ids) >= set(contract_operations())


def test_contract_operations_keep_their_path_method_and_responses(doc: dict[str, Any]) -> None:
    ours = {op.get("operationId"): (m, p, op) for m, p, op in _ops(doc)}
    for op_id, (method, path, contract_op) in contract_operations().items():
        assert op_id in ours, f"{op_id} ({method} {path}) is not served"
        m, p, op = ours[op_id]
        assert (m, p) == (method, path), op_id
        for status, response in resolve(contract_op["responses"]).items():
            body = response.get("content", {}).get("application/json", {}).get("schema")
            ours_status = status if status in op["responses"] else "201"
            assert ours_status in op["responses"], (op_id, status)
            got = op["responses"][ours_status].get("content", {}).get("application/json", {}).get("schema")
            assert got == body, (op_id, status)


def test_every_api_operation_states_bodies_and_dialect_errors(doc: dict[str, Any]) -> None:
    for method, path, op in _ops(doc):
        if not path.startswith(("/api/v2/", "/v1/")):
            continue
        responses = op["responses"]
        assert "404" in responses and "400" in responses and "401" in responses, (method, path)
        err = responses["404"]["content"]["application/json"]["schema"]
        if path.startswith("/v1/"):
            assert err["properties"]["error"]["required"] == ["code", "message"], path
        else:
            assert {"error", "error_description"} <= set(err["properties"]), path
        assert "HTTPValidationError" not in json.dumps(op)


def test_v1_derivations(doc: dict[str, Any]) -> None:
    te = doc["paths"]["/v1/time-entries"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(te["required"]) == {"data", "next_cursor", "has_more"}
    item = te["properties"]["data"]["items"]
    assert "is_billable" in item["properties"] and "billable" not in item["properties"]
    inv = doc["paths"]["/v1/invoices/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "line_items" in inv["properties"]
    create = doc["paths"]["/api/v2/invoices"]["post"]["responses"]
    assert "201" in create and "200" not in create


def test_document_is_cached(doc: dict[str, Any], tmp_path: Any) -> None:
    app = create_app(_settings(str(tmp_path)))
    assert app.openapi() is app.openapi()


def test_live_document_is_served_and_its_refs_resolve(server: LiveServer) -> None:
    import httpx

    live = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    assert live["openapi"].startswith("3.")
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(live))):
        node: Any = live
        for part in ref.split("/"):
            assert part in node, f"dangling $ref #/{ref}"
            node = node[part]
    assert "getInvoice" in json.dumps(live)

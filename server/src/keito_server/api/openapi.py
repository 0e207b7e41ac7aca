"""``/openapi.json``: FastAPI's document of our routes, with response schemas from the contract.

FastAPI knows our request bodies and parameters but not our responses (handlers return
``JSON``). So, once per process, this module takes FastAPI's document and:

* for every operation whose ``operationId`` is in the v2 contract (``contract/*.json``, a JSON
  copy of ``docs/reference/keito-openapi-v2.yaml``; a test keeps them equal), states the
  contract's responses exactly, with every ``$ref`` resolved. A create answers 201 where the
  contract says 200 (decisions §1), so the contract's 200 body is stated under 201 there;
* for every other operation (Harvest extras, the v1 dialect) derives the body from the
  contract's components by the operation id (``getProject`` -> ``Project``); in v1, ``billable``
  is ``is_billable`` and lists are ``{data, next_cursor, has_more}``;
* states each dialect's error body for every error status we answer, instead of FastAPI's 422
  ``HTTPValidationError`` (bad input is a 400 here);
* declares the two credentials (bearer key, and ``Keito-Account-Id`` for v2).

Nothing outside this module should edit the document.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

CONTRACT_PATH = Path(__file__).resolve().parent / "contract" / "keito-openapi-v2.json"
ERROR_STATUSES = ("400", "401", "403", "404", "409", "413", "415", "422", "429")
_VERB = re.compile(r"^(list|get|create|update|delete|stop|restart|send|revoke|upload)([A-Z]\w*)$")
# Operation ids whose body is not "verb + contract schema name".
_ITEM_OVERRIDES = {
    "getCurrentUser": "User",
    "getTeamTimeReport": "TeamTimeResult",
    "sendInvoice": "InvoiceMessage",
    "approveApproval": "Approval",
    "rejectApproval": "Approval",
    "withdrawApproval": "Approval",
    "listUserTeammates": "Teammate",
    "updateUserTeammates": "Teammate",
}
# Operations other than list* that answer a page of items.
_LIST_OPERATIONS = {"getTeamTimeReport", "updateUserTeammates"}
_LIST_KEYS = {
    "getTeamTimeReport": "results",
    "getSummaryReport": "results",
    "listInvoicePayments": "invoice_payments",
    "listInvoiceMessages": "invoice_messages",
}
# Schemas of our own for what the contract does not describe.
OWN_SCHEMAS: dict[str, dict[str, Any]] = {
    "InvoicePayment": {
        "type": "object",
        "required": ["id", "invoice_id", "amount", "paid_date"],
        "properties": {
            "id": {"type": "string"},
            "invoice_id": {"type": "string"},
            "amount": {"type": "number"},
            "paid_date": {"type": "string", "format": "date"},
            "paid_at": {"type": "string", "format": "date-time"},
            "notes": {"type": "string", "nullable": True},
            "transaction_id": {"type": "string", "nullable": True},
            "recorded_by_id": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "Approval": {
        "type": "object",
        "required": ["id", "user", "user_id", "period_start", "period_end", "status", "hours", "submitted_at"],
        "properties": {
            "id": {"type": "string"},
            "user": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            },
            "user_id": {"type": "string"},
            "period_start": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["submitted", "approved", "rejected"]},
            "reason": {"type": "string", "nullable": True},
            "hours": {"type": "number"},
            "billable_hours": {"type": "number"},
            "time_entries_count": {"type": "integer"},
            "expenses_count": {"type": "integer"},
            "expense_total": {"type": "number"},
            "currency": {"type": "string"},
            "submitted_at": {"type": "string", "format": "date-time"},
            "decided_at": {"type": "string", "format": "date-time", "nullable": True},
            "decided_by": {
                "type": "object",
                "nullable": True,
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            },
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "Teammate": {
        "type": "object",
        "required": ["id", "first_name", "name", "email", "user_type", "is_active"],
        "properties": {
            "id": {"type": "string"},
            "first_name": {"type": "string", "nullable": True},
            "last_name": {"type": "string", "nullable": True},
            "name": {"type": "string"},
            "email": {"type": "string"},
            "user_type": {"type": "string", "enum": ["human", "agent"]},
            "is_active": {"type": "boolean"},
        },
    },
    "SummaryReport": {
        "type": "object",
        "required": ["key", "label", "hours", "billable_hours", "billable_amount", "entries", "currency"],
        "properties": {
            "key": {"type": "string", "nullable": True},
            "label": {"type": "string"},
            "hours": {"type": "number"},
            "billable_hours": {"type": "number"},
            "billable_amount": {"type": "number"},
            "cost_amount": {"type": "number"},
            "llm_cost": {"type": "number"},
            "expense_total": {"type": "number"},
            "entries": {"type": "integer"},
            "currency": {"type": "string"},
        },
    },
}
DELETED = {
    "type": "object",
    "required": ["id", "deleted"],
    "properties": {"id": {"type": "string"}, "deleted": {"type": "boolean"}},
}
V1_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string", "nullable": True},
            },
        }
    },
}


@lru_cache(maxsize=1)
def contract() -> dict[str, Any]:
    return json.loads(CONTRACT_PATH.read_text())  # type: ignore[no-any-return]


def resolve(node: Any) -> Any:
    """A copy of ``node`` with every ``#/...`` reference into the contract inlined."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = contract()
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return resolve(target)
        return {k: resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v) for v in node]
    return node


def contract_operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (METHOD, path, operation) for every operation of the contract."""
    out = {}
    for path, methods in contract()["paths"].items():
        for method, op in methods.items():
            if isinstance(op, dict) and "operationId" in op:
                out[op["operationId"]] = (method.upper(), path, op)
    return out


def v2_error() -> dict[str, Any]:
    schema = resolve(contract()["components"]["schemas"]["Error"])
    schema["properties"]["code"] = {"type": "string", "description": "Stable error code, e.g. entry_locked."}
    schema["properties"]["field"] = {"type": "string", "description": "The request field at fault, when one is."}
    schema["required"] = ["error", "error_description", "code"]
    return schema  # type: ignore[no-any-return]


def _item_schema(name: str) -> dict[str, Any] | None:
    if name in OWN_SCHEMAS:
        return copy.deepcopy(OWN_SCHEMAS[name])
    schemas = contract()["components"]["schemas"]
    return resolve(schemas[name]) if name in schemas else None


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _to_v1(schema: Any) -> Any:
    """The v1 spelling of a contract schema: ``is_billable`` where v2 says ``billable``."""
    if isinstance(schema, dict):
        out = {k: _to_v1(v) for k, v in schema.items()}
        props = out.get("properties")
        if isinstance(props, dict) and "billable" in props:
            out["properties"] = {("is_billable" if k == "billable" else k): v for k, v in props.items()}
        return out
    if isinstance(schema, list):
        return [_to_v1(v) for v in schema]
    return schema


def _v2_list(key: str, item: dict[str, Any] | None) -> dict[str, Any]:
    envelope = resolve(contract()["components"]["schemas"]["PaginationEnvelope"])
    return {
        "allOf": [
            envelope,
            {"type": "object", "properties": {key: {"type": "array", "items": item or {"type": "object"}}}},
        ]
    }


def _v1_list(item: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "next_cursor", "has_more"],
        "properties": {
            "data": {"type": "array", "items": item or {"type": "object"}},
            "next_cursor": {"type": "string", "nullable": True},
            "has_more": {"type": "boolean"},
        },
    }


def derived_body(operation_id: str, path: str, success: str) -> dict[str, Any] | None:
    """The success body of a non-contract operation, from the contract's components."""
    v1 = operation_id.startswith("v1")
    base = operation_id[2:3].lower() + operation_id[3:] if v1 else operation_id
    if success == "204":
        return None
    if base in ("getSummaryReport",):
        item: dict[str, Any] | None = _item_schema("SummaryReport")
        return _v1_list(item) if v1 else _v2_list("results", item)
    match = _VERB.match(base)
    verb, noun = (match.group(1), match.group(2)) if match else ("", "")
    is_list = verb == "list" or base in _LIST_OPERATIONS
    name = _ITEM_OVERRIDES.get(base) or (_singular(noun) if is_list else noun)
    if verb == "delete" and base in ("deleteInvoice", "deleteInvoicePayment"):
        return copy.deepcopy(DELETED)
    item = _item_schema(name) if name else None
    if v1:
        item = _to_v1(item) if item else None
        return _v1_list(item) if is_list else item
    if is_list:
        key = _LIST_KEYS.get(base) or path.rstrip("/").split("/")[-1]
        return _v2_list(key, item)
    return item


def _json(schema: dict[str, Any] | None, description: str) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return response


def _rewrite(doc: dict[str, Any]) -> None:
    known = contract_operations()
    errors = {"v1": V1_ERROR, "v2": v2_error()}
    for path, methods in doc.get("paths", {}).items():
        dialect = "v1" if path.startswith("/v1/") else "v2" if path.startswith("/api/v2/") else None
        if dialect is None:
            continue
        for op in methods.values():
            if not isinstance(op, dict):
                continue
            op_id = op.get("operationId", "")
            generated = op.get("responses", {})
            success = next((s for s in generated if s.startswith("2")), "200")
            responses: dict[str, Any] = {}
            if op_id in known:
                for status, response in resolve(known[op_id][2]["responses"]).items():
                    key = success if status == "200" and success != "200" else status
                    responses[key] = response
            else:
                kept = copy.deepcopy(generated.get(success, {}))
                body = derived_body(op_id, path, success)
                if body is not None:
                    kept.setdefault("content", {})["application/json"] = {"schema": body}
                kept.setdefault("description", "Success")
                responses[success] = kept
            for status in ERROR_STATUSES:
                if status not in responses:
                    responses[status] = _json(copy.deepcopy(errors[dialect]), "Error")
            op["responses"] = responses
            op["security"] = [{"bearerAuth": [], "accountId": []}] if dialect == "v2" else [{"bearerAuth": []}]
    components = doc.setdefault("components", {})
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "API key (kto_...)"},
        "accountId": {
            "type": "apiKey",
            "in": "header",
            "name": "Keito-Account-Id",
            "description": "v2 only: the workspace (account) id. v1 keys name their workspace.",
        },
    }
    schemas = components.get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{unused}"' not in json.dumps(doc):
            schemas.pop(unused, None)


def openapi_for(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """``app.openapi = openapi_for(app)``: build the document on first use, then serve it cached."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            _rewrite(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    return build

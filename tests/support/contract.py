"""Validate responses against the official v2 contract (``keito-openapi-v2.yaml``) by operationId."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "reference" / "keito-openapi-v2.yaml"


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def _resolve(node: Any) -> Any:
    """Inline every $ref so the validator sees one self-contained schema."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec()
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(target)
        return {k: _resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v) for v in node]
    return node


def response_schema(operation_id: str, status: int) -> dict[str, Any] | None:
    for methods in spec()["paths"].values():
        for op in methods.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                responses = op["responses"]
                resp = responses.get(str(status)) or responses.get("200" if status in (200, 201) else "")
                if resp is None:
                    return None
                resp = _resolve(resp)
                return resp.get("content", {}).get("application/json", {}).get("schema")  # type: ignore[no-any-return]
    raise KeyError(f"no operation {operation_id} in the v2 contract")


def assert_matches(operation_id: str, response: Any) -> None:
    """The response's JSON is valid for ``operation_id`` at its status (create answers 201,
    which the contract calls 200: decisions §1)."""
    schema = response_schema(operation_id, response.status_code)
    assert schema is not None, f"{operation_id} has no schema for status {response.status_code}"
    OAS30Validator(schema).validate(response.json())

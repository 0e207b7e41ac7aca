"""The two wire dialects: which one a request speaks, and how each writes an error."""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Any

V1_PREFIX = "/v1"
V2_PREFIX = "/api/v2"


class Dialect(StrEnum):
    V1 = "v1"
    V2 = "v2"
    WEB = "web"


def dialect_for_path(path: str) -> Dialect:
    if path.startswith(V2_PREFIX + "/") or path == V2_PREFIX:
        return Dialect.V2
    if path.startswith(V1_PREFIX + "/") or path == V1_PREFIX:
        return Dialect.V1
    return Dialect.WEB


def status_phrase(status: int) -> str:
    """Harvest's lowercase status phrase: 404 -> 'not found', 429 -> 'rate limited'."""
    if status == 429:
        return "rate limited"
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "error"


def error_body(dialect: Dialect, status: int, code: str, message: str, field: str | None) -> dict[str, Any]:
    if dialect is Dialect.V1:
        return {"error": {"code": code, "message": message, "field": field}}
    body: dict[str, Any] = {"error": status_phrase(status), "error_description": message, "code": code}
    if field:
        body["field"] = field
    return body

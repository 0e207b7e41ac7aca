"""Every error leaves through here, rendered in the request's dialect with a stable code.

Domain errors carry their own status; request parsing errors become 400 ``validation_error``
(or ``invalid_json``); unknown routes are 404 ``not_found``; anything unexpected is a 500
``internal_error`` whose details stay in the log.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from keito_server.api.dialects import Dialect, dialect_for_path, error_body
from keito_server.api.responses import JSON
from keito_server.domain.errors import KeitoError, RateLimited

log = logging.getLogger("keito_server")

_HTTP_CODES = {
    401: "authentication_error",
    403: "authorization_error",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    dialect = dialect_for_path(request.url.path)
    page_renderer = getattr(request.app.state, "render_error_page", None)
    if dialect is Dialect.WEB and page_renderer is not None and not request.url.path.startswith(("/openapi", "/docs")):
        # app.py hands in the web app's renderer, so api/ never imports web/.
        return page_renderer(request, status, message)  # type: ignore[no-any-return]
    return JSON(error_body(dialect, status, code, message, field), status_code=status, headers=headers)


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def describe_validation_error(exc: RequestValidationError) -> tuple[str, str, str | None]:
    """(code, sentence, field) for the first problem pydantic found."""
    errors = exc.errors()
    if not errors:
        return "validation_error", "The request is not valid.", None
    first = errors[0]
    kind = first.get("type", "")
    if kind == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "")
        return "invalid_json", f"The request body is not valid JSON ({detail}).", None
    field = _field_of(tuple(first.get("loc", ())))
    msg = str(first.get("msg", "is not valid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "missing":
        return "validation_error", f"{field} is required.", field
    if kind in ("model_attributes_type", "dict_type") and field is None:
        return "validation_error", "The request body must be a JSON object.", None
    extra = len(errors) - 1
    tail = f" ({extra} more problem{'s' if extra > 1 else ''} in this request)" if extra else ""
    return "validation_error", f"{field}: {msg}{tail}." if field else f"{msg}{tail}.", field


# SQLSTATEs of a transaction the database undid to settle a conflict: deadlock_detected and
# serialization_failure.
_UNDONE_TO_SETTLE_A_CONFLICT = ("40P01", "40001")


def install(app: FastAPI) -> None:
    @app.exception_handler(KeitoError)
    async def _keito(request: Request, exc: KeitoError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return error_response(request, exc.status, exc.code, exc.message, exc.field, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        code, message, field = describe_validation_error(exc)
        return error_response(request, 400, code, message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "bad_request")
        message = exc.detail if isinstance(exc.detail, str) and exc.detail else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = f"No such endpoint: {request.method} {request.url.path}."
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
        return error_response(request, exc.status_code, code, message, None, getattr(exc, "headers", None))

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> Response:
        """A 503 with Retry-After, which the SDKs retry on their own, when the same request will
        very likely pass at once:
        - the database went away under a pooled connection (a restart, a failover); the pool
          is already invalidated, so a retry gets a fresh connection;
        - PostgreSQL undid this request's transaction to break a deadlock or a serialization
          conflict (ADR 0515 names one such deadlock); nothing of it was saved."""
        if exc.connection_invalidated:
            message = "The database connection was lost; retry the request."
        elif getattr(exc.orig, "sqlstate", None) in _UNDONE_TO_SETTLE_A_CONFLICT:
            message = (
                "The database undid this request to settle a conflict with another one at the same"
                " moment; nothing was saved. Retry the request."
            )
        else:
            return await _unexpected(request, exc)
        log.warning(
            "database %s on %s %s: %s",
            "lost" if exc.connection_invalidated else "conflict",
            request.method,
            request.url.path,
            exc.orig,
        )
        return error_response(request, 503, "service_unavailable", message, None, {"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal_error", "Something went wrong on our side; it was logged.")

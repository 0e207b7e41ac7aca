"""The errors the SDK raises, keyed by HTTP status.

::

    KeitoError                      anything this SDK raises on purpose
    ├── APIConnectionError          no answer: DNS, refused, reset (retried)
    │   └── APITimeoutError         no answer within ``timeout`` seconds (retried)
    └── APIError                    the server answered with a status >= 400
        ├── BadRequestError             400  e.g. missing Keito-Account-Id
        ├── AuthenticationError         401  key missing, wrong or revoked
        ├── PermissionDeniedError       403  the key's user may not do this
        ├── NotFoundError               404  no such object (or another workspace's)
        ├── ConflictError               409  timer_already_running, entry_locked, ...
        ├── UnprocessableEntityError    422  validation_error, idempotency_key_reused, ...
        ├── RateLimitError              429  ``retry_after`` seconds (retried)
        └── InternalServerError         5xx  (retried)

Every ``APIError`` carries ``status``, the server's stable ``code`` (``timer_already_running``,
``not_found``, ...), the human ``message`` (the server's ``error_description``), the parsed
``body`` and the response ``headers``. Other 4xx statuses raise plain ``APIError``.

This module owns the status -> class mapping; nothing else decides which class to raise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class KeitoError(Exception):
    """Base class of every error this SDK raises on purpose."""


class APIConnectionError(KeitoError):
    """The request never got an answer (connection refused, reset, DNS...)."""

    def __init__(self, message: str = "Connection error.") -> None:
        super().__init__(message)
        self.message = message


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""

    def __init__(self, message: str = "Request timed out.") -> None:
        super().__init__(message)


class APIError(KeitoError):
    """The server answered with an error status."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"[{status}] {code or 'error'}: {message}")
        self.status = status
        self.status_code = status  # the shipped SDK's name
        self.code = code
        self.message = message
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})


class BadRequestError(APIError):
    """400."""


class AuthenticationError(APIError):
    """401."""


class PermissionDeniedError(APIError):
    """403."""


class NotFoundError(APIError):
    """404."""


class ConflictError(APIError):
    """409."""


class UnprocessableEntityError(APIError):
    """422."""


class RateLimitError(APIError):
    """429; ``retry_after`` is the server's Retry-After in seconds (None when absent)."""

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class InternalServerError(APIError):
    """5xx."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class(status: int) -> type[APIError]:
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIError)


def make_api_error(status: int, body: Any, headers: Mapping[str, str]) -> APIError:
    """Build the right error from a response (v2 ``{error, error_description, code}``; v1 nested)."""
    code: str | None = None
    message = ""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):  # v1 dialect
            code, message = err.get("code"), str(err.get("message") or "")
        else:
            code = body.get("code")
            message = str(body.get("error_description") or err or "")
    elif isinstance(body, str):
        message = body[:500]
    lowered = {k.lower(): v for k, v in headers.items()}
    return error_class(status)(status, code, message or f"HTTP {status}", body, lowered)

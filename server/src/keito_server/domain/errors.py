"""Domain errors with stable codes.

Every error the product can answer carries a ``code`` that is shared by both API dialects,
both SDKs and the CLI. The HTTP status of each error class is decided here, in one place;
the API layer only renders it in the dialect's format.

    KeitoError (400)
    ├── ValidationError            400 validation_error / metadata_too_large / ...
    ├── AuthenticationError        401 authentication_error
    ├── PermissionDenied           403 authorization_error / project_not_assigned
    ├── NotFound                   404 not_found
    ├── Conflict                   409 timer_already_running / timer_not_running / entry_locked
    ├── RuleViolation              422 business rule broken by valid input
    ├── PayloadTooLarge            413 payload_too_large
    └── RateLimited                429 rate_limited
"""

from __future__ import annotations


class KeitoError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class ValidationError(KeitoError):
    status = 400
    code = "validation_error"


class AuthenticationError(KeitoError):
    status = 401
    code = "authentication_error"


class PermissionDenied(KeitoError):
    status = 403
    code = "authorization_error"


class NotFound(KeitoError):
    status = 404
    code = "not_found"

    def __init__(self, what: str = "Resource", *, field: str | None = None) -> None:
        super().__init__(f"{what} not found", field=field)


class Conflict(KeitoError):
    status = 409
    code = "conflict"


class RuleViolation(KeitoError):
    status = 422
    code = "validation_error"


class PayloadTooLarge(KeitoError):
    status = 413
    code = "payload_too_large"


class RateLimited(KeitoError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Stable codes used across the product (kept here so clients can rely on the spelling).
TIMER_ALREADY_RUNNING = "timer_already_running"
TIMER_NOT_RUNNING = "timer_not_running"
ENTRY_LOCKED = "entry_locked"
METADATA_TOO_LARGE = "metadata_too_large"
PROJECT_NOT_ASSIGNED = "project_not_assigned"
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
NOTHING_TO_SUBMIT = "nothing_to_submit"
APPROVALS_DISABLED = "approvals_disabled"
APPROVAL_STATE = "approval_state"

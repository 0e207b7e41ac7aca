"""Keito: time and LLM-cost tracking for teams of humans and AI agents.

``from keito import Keito, AsyncKeito``. Names are imported lazily so that ``keito.cli`` (which
lives in this package) starts fast: importing ``keito`` alone loads neither httpx nor pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from keito._async_client import (
        AsyncKeito as AsyncKeito,
    )
    from keito._client import (
        Keito as Keito,
    )
    from keito._core import (
        RawResponse as RawResponse,
    )
    from keito._errors import (
        APIConnectionError as APIConnectionError,
    )
    from keito._errors import (
        APIError as APIError,
    )
    from keito._errors import (
        APITimeoutError as APITimeoutError,
    )
    from keito._errors import (
        AuthenticationError as AuthenticationError,
    )
    from keito._errors import (
        BadRequestError as BadRequestError,
    )
    from keito._errors import (
        ConflictError as ConflictError,
    )
    from keito._errors import (
        InternalServerError as InternalServerError,
    )
    from keito._errors import (
        KeitoError as KeitoError,
    )
    from keito._errors import (
        NotFoundError as NotFoundError,
    )
    from keito._errors import (
        PermissionDeniedError as PermissionDeniedError,
    )
    from keito._errors import (
        RateLimitError as RateLimitError,
    )
    from keito._errors import (
        UnprocessableEntityError as UnprocessableEntityError,
    )
    from keito._pagination import (
        AsyncPager as AsyncPager,
    )
    from keito._pagination import (
        SyncPager as SyncPager,
    )
    from keito._types import (
        NOT_GIVEN as NOT_GIVEN,
    )
    from keito._types import (
        NotGiven as NotGiven,
    )
    from keito._types import (
        RequestOptions as RequestOptions,
    )
    from keito.helpers import (
        AgentMetadata as AgentMetadata,
    )
    from keito.types import (
        OutcomeTypes as OutcomeTypes,
    )
    from keito.types import (
        Source as Source,
    )

_EXPORTS = {
    "Keito": "keito._client",
    "AsyncKeito": "keito._async_client",
    "RawResponse": "keito._core",
    "SyncPager": "keito._pagination",
    "AsyncPager": "keito._pagination",
    "NOT_GIVEN": "keito._types",
    "NotGiven": "keito._types",
    "RequestOptions": "keito._types",
    "AgentMetadata": "keito.helpers",
    "OutcomeTypes": "keito.types",
    "Source": "keito.types",
    **{
        name: "keito._errors"
        for name in (
            "KeitoError",
            "APIError",
            "APIConnectionError",
            "APITimeoutError",
            "BadRequestError",
            "AuthenticationError",
            "PermissionDeniedError",
            "NotFoundError",
            "ConflictError",
            "UnprocessableEntityError",
            "RateLimitError",
            "InternalServerError",
        )
    },
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'keito' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

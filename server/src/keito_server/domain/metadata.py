"""The ``metadata`` object on time entries and expenses: a JSON object of at most 4 KB."""

from __future__ import annotations

import json
from typing import Any

from keito_server.domain.errors import METADATA_TOO_LARGE, ValidationError

MAX_METADATA_BYTES = 4096
# Metadata keys copied into indexed columns for filtering.
SESSION_KEY = "session_id"
AGENT_KEY = "agent_id"


def check_metadata(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationError('metadata must be a JSON object such as {"agent_id": "bot-1"}.', field="metadata")
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if _has_nul(value):
        # PostgreSQL's JSONB cannot store U+0000; refuse it on every database alike.
        raise ValidationError("metadata cannot contain the NUL character (U+0000).", field="metadata")
    size = len(text.encode())
    if size > MAX_METADATA_BYTES:
        raise ValidationError(
            f"metadata is {size} bytes; the limit is {MAX_METADATA_BYTES} bytes of JSON.",
            code=METADATA_TOO_LARGE,
            field="metadata",
        )
    return value


def merge_metadata(current: dict[str, Any] | None, patch: dict[str, Any] | None) -> dict[str, Any] | None:
    """PATCH semantics: keys are merged (a key set to null is kept as null); ``None`` clears."""
    if patch is None:
        return None
    merged = dict(current or {})
    merged.update(patch)
    return check_metadata(merged)


def indexed_key(metadata: dict[str, Any] | None, key: str) -> str | None:
    if not metadata:
        return None
    value = metadata.get(key)
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)[:200]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False

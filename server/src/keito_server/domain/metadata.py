"""The ``metadata`` object on time entries and expenses: a JSON object of at most 4 KB that every
database and every response can hold exactly as it was sent."""

from __future__ import annotations

import math
from typing import Any

import orjson

from keito_server.domain.errors import METADATA_TOO_LARGE, ValidationError

MAX_METADATA_BYTES = 4096
# Metadata keys copied into indexed columns for filtering.
SESSION_KEY = "session_id"
AGENT_KEY = "agent_id"
# The integers JSON responses carry exactly (orjson: 64 bits, signed or unsigned).
_SMALLEST_INT, _LARGEST_INT = -(2**63), 2**64 - 1
_DEEPEST = 255  # orjson writes at most this many levels of nesting


def check_metadata(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationError('metadata must be a JSON object such as {"agent_id": "bot-1"}.', field="metadata")
    # Serialized first: orjson refuses an integer past 64 bits, writes NaN and Infinity as null
    # and U+0000 as an escape, so a text with neither "null" nor "\u0000" in it needs no walk
    # through the value for what cannot be kept. A value orjson cannot write at all (too deep)
    # is refused with a 400 too (it was a 500, as was one too deep for the walk).
    try:
        text = json_text(value)
    except orjson.JSONEncodeError:
        try:
            problem = _unstorable(value)
        except RecursionError:
            problem = None
        raise ValidationError(
            problem or f"metadata is nested too deeply; keep it under {_DEEPEST} levels.", field="metadata"
        ) from None
    problem = _unstorable(value) if b"null" in text or b"\\u0000" in text else None
    if problem:
        raise ValidationError(problem, field="metadata")
    size = len(text)
    if size > MAX_METADATA_BYTES:
        raise ValidationError(
            f"metadata is {size} bytes; the limit is {MAX_METADATA_BYTES} bytes of JSON.",
            code=METADATA_TOO_LARGE,
            field="metadata",
        )
    return value


def json_text(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON (what the databases store and responses send)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


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


def _unstorable(value: Any) -> str | None:
    """Why ``value`` cannot be kept as sent, or None. PostgreSQL's JSONB cannot hold U+0000;
    NaN and Infinity are not JSON (Python's parser accepts them); an integer past 64 bits cannot
    be written back in a response. Refused on every database alike."""
    if isinstance(value, str):
        return "metadata cannot contain the NUL character (U+0000)." if "\x00" in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else "metadata numbers must be finite: NaN and Infinity are not JSON."
    if isinstance(value, int):
        if _SMALLEST_INT <= value <= _LARGEST_INT:
            return None
        return "metadata integers must fit in 64 bits; send larger numbers as strings."
    if isinstance(value, dict):
        return next((p for k, v in value.items() if (p := _unstorable(k) or _unstorable(v))), None)
    if isinstance(value, list):
        return next((p for v in value if (p := _unstorable(v))), None)
    return None

"""Field types shared by every request schema, each with an error sentence that says what to fix."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real calendar date") from None


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("write an ISO-8601 timestamp such as 2026-03-06T09:00:00Z")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 timestamp such as 2026-03-06T09:00:00Z") from None
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _clock(value: Any) -> str:
    if not isinstance(value, str) or not _CLOCK.match(value.strip()):
        raise ValueError(f"{value!r} is not a time of day; write HH:MM between 00:00 and 23:59")
    h, m = value.strip().split(":")
    return f"{int(h):02d}:{m}"


def _decimal(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError("must be a number")
    try:
        d = Decimal(str(value))
    except Exception:
        raise ValueError(f"{value!r} is not a number") from None
    if not d.is_finite():
        raise ValueError("must be a finite number")
    return d


def _hours(value: Decimal) -> Decimal:
    if value < 0 or value > 24:
        raise ValueError("hours must be between 0 and 24")
    return value


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must be zero or more")
    if abs(value) >= Decimal("1e12"):
        raise ValueError("is too large")
    return value


def _metadata(value: Any) -> Any:
    if value is not None and not isinstance(value, dict):
        raise ValueError('metadata must be a JSON object such as {"agent_id": "bot-1"}')
    return value


SpentDate = Annotated[date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]
Timestamp = Annotated[datetime, BeforeValidator(_datetime), WithJsonSchema({"type": "string", "format": "date-time"})]
ClockTime = Annotated[str, BeforeValidator(_clock), WithJsonSchema({"type": "string", "description": "HH:mm"})]
Number = Annotated[Decimal, BeforeValidator(_decimal), WithJsonSchema({"type": "number"})]
Hours = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    AfterValidator(_hours),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 24}),
]
Amount = Annotated[
    Decimal, BeforeValidator(_decimal), AfterValidator(_non_negative), WithJsonSchema({"type": "number", "minimum": 0})
]
Metadata = Annotated[
    dict[str, Any] | None,
    BeforeValidator(_metadata),
    WithJsonSchema(
        {
            "type": "object",
            "nullable": True,
            "additionalProperties": True,
            "description": (
                "Arbitrary JSON object, max 4 KB serialized. Numbers must be finite and integers"
                " fit in 64 bits; strings may not contain U+0000."
            ),
        }
    ),
]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold U+0000; refuse it on every database alike (not a 500).
    if "\x00" in value:
        raise ValueError("cannot contain the NUL character (U+0000)")
    return value


Text = Annotated[str, Field(max_length=65_535), AfterValidator(_no_nul)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_nul)]
Id = Annotated[str, Field(min_length=1, max_length=64)]


class Body(BaseModel):
    """Base for request bodies: unknown fields are ignored (as Harvest does); strict booleans."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

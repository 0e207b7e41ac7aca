"""Where a record came from. Set at creation; never changes afterwards."""

from __future__ import annotations

from keito_server.domain.errors import ValidationError

TIME_ENTRY_SOURCES = ("web", "cli", "api", "agent", "calendar", "desktop")
EXPENSE_SOURCES = ("web", "cli", "api", "agent")


def check_source(value: str, allowed: tuple[str, ...]) -> str:
    value = (value or "").strip().lower()
    if value not in allowed:
        raise ValidationError(f"source must be one of {', '.join(allowed)}.", field="source")
    return value


def parse_source_filter(value: str | None, allowed: tuple[str, ...]) -> list[str] | None:
    """``"agent,cli"`` -> ["agent", "cli"]; unknown values are a 400, not an empty list."""
    if value is None or value.strip() == "":
        return None
    parts = [p.strip().lower() for p in value.split(",") if p.strip()]
    bad = [p for p in parts if p not in allowed]
    if bad:
        raise ValidationError(
            f"source filter has unknown value(s) {', '.join(bad)}; use {', '.join(allowed)}.", field="source"
        )
    return parts

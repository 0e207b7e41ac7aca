"""Durations, clock times and rounding. Durations are whole seconds; hours are derived."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

SECONDS_PER_HOUR = 3600
MAX_HOURS = 24
ROUNDING_CHOICES = (0, 5, 6, 10, 15, 30)  # minutes; 0 = no rounding
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
HOURS_PLACES = Decimal("0.000001")


def hours_to_seconds(hours: Decimal) -> int:
    return int((hours * SECONDS_PER_HOUR).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def seconds_to_hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / SECONDS_PER_HOUR).quantize(HOURS_PLACES, rounding=ROUND_HALF_EVEN)


def parse_hhmm(value: str) -> int:
    """``"09:30"`` -> minutes after midnight. Raises ValueError with a sentence to show."""
    m = _HHMM.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"'{value}' is not a time of day in HH:MM (00:00 to 23:59)")
    return int(m.group(1)) * 60 + int(m.group(2))


def format_hhmm(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def span_seconds(started: str, ended: str) -> int:
    """Seconds from a start to an end clock time; an end before the start crosses midnight."""
    start, end = parse_hhmm(started), parse_hhmm(ended)
    minutes = end - start if end >= start else end + 24 * 60 - start
    return minutes * 60


def round_seconds(seconds: int, rounding_minutes: int) -> int:
    """Round to the nearest multiple of the workspace's rounding step (half up)."""
    if not rounding_minutes:
        return seconds
    step = rounding_minutes * 60
    return ((seconds + step // 2) // step) * step


def parse_duration(text: str) -> Decimal:
    """``"1.5"`` or ``"1:30"`` -> Decimal hours (used by the web app and the CLI's forms)."""
    text = text.strip()
    if ":" in text:
        h, _, m = text.partition(":")
        if not (h.isdigit() and m.isdigit() and len(m) == 2 and int(m) < 60):
            raise ValueError(f"'{text}' is not a duration; write 1.5 or 1:30")
        return Decimal(int(h)) + Decimal(int(m)) / 60
    try:
        value = Decimal(text)
    except Exception as exc:
        raise ValueError(f"'{text}' is not a duration; write 1.5 or 1:30") from exc
    if not value.is_finite():
        raise ValueError(f"'{text}' is not a duration; write 1.5 or 1:30")
    return value

"""Dates and times as ISO 8601 text, for the busiest path's statement and response.

``datetime.isoformat`` and ``date.isoformat`` build their text with ``PyUnicode_FromFormat``,
which formats each number through C's ``sprintf``: about 6,500 machine instructions for a
datetime and 3,000 for a date (callgrind). A create formatted its timestamp four times (two
parameters, ``created_at`` and ``updated_at``, which are the same instant, and those two again
in the response) and its date twice: about 3.5 % of the instructions it ran
(``benchmarks/create_instructions.py``, docs/performance.md, eleventh session). Here each is
formatted once: a datetime is remembered by identity for the next call, and a date's text is
kept in a small table (dates repeat: most entries are for today or a day near it).
"""

from __future__ import annotations

from datetime import date, datetime

# The datetime formatted last, and its text. One slot, replaced whole (threads share it: a
# thread that finds another's value formats its own). Identity, not equality: equal datetimes
# in other zones have other texts.
_LAST: list[tuple[datetime | None, str]] = [(None, "")]

_DATES: dict[date, str] = {}
_DATES_AT_MOST = 4_096


def datetime_text(value: datetime) -> str:
    """``value.isoformat()``."""
    last = _LAST[0]
    if last[0] is value:
        return last[1]
    text = value.isoformat()
    _LAST[0] = (value, text)
    return text


def date_text(value: date) -> str:
    """``value.isoformat()`` of a date (not a datetime)."""
    text = _DATES.get(value)
    if text is None:
        if len(_DATES) >= _DATES_AT_MOST:
            _DATES.clear()
        text = _DATES[value] = value.isoformat()
    return text

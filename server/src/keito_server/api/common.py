"""Small pieces the route modules share: id-name pairs, timestamps, boolean query params."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query

from keito_server.api.schemas.common import _date, _datetime
from keito_server.domain.errors import ValidationError
from keito_server.domain.timestamps import datetime_text


def id_name(obj_id: str | None, name: str | None) -> dict[str, Any] | None:
    return None if obj_id is None else {"id": obj_id, "name": name}


def iso(ts: datetime | None) -> str | None:
    """``2026-12-03T18:05:09Z``: the clock fields as stored (UTC), to the second. ``isoformat``
    takes half of ``strftime``'s time (timeit: 1.1 against 2.2 µs) and always pads the year to
    four digits, which glibc's ``%Y`` does not. Its first 19 characters are the same at any
    ``timespec``, so the full text the create's statement wrote is reused (domain/timestamps.py)."""
    return None if ts is None else datetime_text(ts)[:19] + "Z"


def parse_date_param(value: str | None, name: str) -> Any:
    if value is None or value == "":
        return None
    try:
        return _date(value)
    except ValueError as exc:
        raise ValidationError(f"{name}: {exc}.", field=name) from None


def parse_timestamp_param(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return _datetime(value)
    except ValueError as exc:
        raise ValidationError(f"{name}: {exc}.", field=name) from None


class DateRange:
    """``from`` / ``to`` (inclusive dates) and ``updated_since``, validated with clear errors."""

    def __init__(
        self,
        from_: Annotated[str | None, Query(alias="from", description="Start date (YYYY-MM-DD), inclusive.")] = None,
        to: Annotated[str | None, Query(description="End date (YYYY-MM-DD), inclusive.")] = None,
        updated_since: Annotated[str | None, Query(description="Only records updated since (ISO-8601).")] = None,
    ) -> None:
        self.date_from = parse_date_param(from_, "from")
        self.date_to = parse_date_param(to, "to")
        self.updated_since = parse_timestamp_param(updated_since, "updated_since")


DateRangeDep = Annotated[DateRange, Depends()]

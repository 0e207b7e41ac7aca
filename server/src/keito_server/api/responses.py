"""JSON rendering: orjson, with Decimal written as an exact JSON number (see domain.money)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from fastapi.responses import JSONResponse

from keito_server.domain.money import json_number


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Rates and hours repeat from response to response, and equal Decimals (1.5, 1.50) have
        # one JSON number: remembered, a number costs a dict lookup instead of four Decimal
        # operations (ADR 0520).
        number = _NUMBERS.get(value)
        if number is None:
            if len(_NUMBERS) >= _NUMBERS_AT_MOST:
                _NUMBERS.clear()
            number = _NUMBERS[value] = json_number(value)
        return number
    raise TypeError(f"cannot serialize {type(value).__name__}")


_NUMBERS: dict[Decimal, float | int] = {}
_NUMBERS_AT_MOST = 4_096


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, default=_default, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)


class JSON(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)

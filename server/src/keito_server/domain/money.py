"""Exact money. Decimal in Python, integer micro-units (1e-6) in the database.

Per-token LLM prices need at least six decimal places; invoices round to the currency's minor
unit, half-even, in ``round_to_minor`` only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

MICROS = Decimal(1_000_000)
SIX_PLACES = Decimal("0.000001")
# Currencies whose minor unit is not 2 decimal places (ISO 4217).
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3}


def to_decimal(value: object) -> Decimal:
    """Turn a JSON number (int, float, str) into an exact Decimal, via its text, never via binary float."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    try:
        d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"{value!r} is not a number") from exc
    if not d.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return d


def to_micros(value: Decimal) -> int:
    return int((value * MICROS).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_micros(micros: int | None) -> Decimal | None:
    if micros is None:
        return None
    return (Decimal(micros) / MICROS).quantize(SIX_PLACES).normalize() + Decimal(0)


def round_to_minor(amount: Decimal, currency: str) -> Decimal:
    places = _MINOR_UNITS.get(currency.upper(), 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def json_number(value: Decimal) -> float | int:
    """The JSON number for an exact Decimal.

    Our amounts carry at most 6 decimal places and stay below 10^9, so they have at most 15
    significant digits; a binary double round-trips every such decimal, and its shortest repr
    is the decimal itself. So the wire text is exact even though the value passes as a float.
    """
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return int(normalized)
    return float(normalized)

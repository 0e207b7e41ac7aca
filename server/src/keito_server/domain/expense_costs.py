"""How an expense's total is decided (decisions §4). Pure: no I/O, no price data.

The rules, in order:

1. an explicit ``total_cost`` (method ``manual``);
2. ``units`` × an explicit ``unit_price`` (v1), or × the category's unit price when one is set
   (method ``unit``);
3. LLM Usage with ``metadata.model`` and token counts: the model's price, which the caller
   looks up (``services.pricing``) and hands in as a ``ModelQuote`` (method ``model``);
4. otherwise priced 0 and marked unpriced, with the reason (method ``unpriced``).

Token counts follow the Anthropic convention (ADR 0201): ``input_tokens`` are the input tokens
neither read from nor written to the cache; ``cache_read_tokens`` and ``cache_write_tokens``
come on top. Model prices are in USD; a workspace in another currency converts with its
``usd_exchange_rate`` (units of the workspace currency per 1 USD).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from keito_server.domain.errors import ValidationError

MANUAL = "manual"
UNIT = "unit"
MODEL = "model"
UNPRICED = "unpriced"
METHODS = (MANUAL, UNIT, MODEL, UNPRICED)

USD = "USD"
TOKENS_PER_UNIT = 1000  # LLM Usage counts units of 1k tokens
TOKEN_KEYS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
# Stored totals carry six decimal places (the Money column's micro-units).
STORED_PLACES = Decimal("0.000001")
# Largest total an expense may reach (the Money column holds micro-units in 64 bits), and the
# largest token count one expense may report (keeps derived units inside a 32-bit integer).
MAX_TOTAL = Decimal(10) ** 12
MAX_TOKENS = 10**11
# Breakdown keys that hold money, so storage can keep them as exact text.
MONEY_KEYS = ("input_cost", "output_cost", "total_cost_usd", "usd_exchange_rate")


@dataclass(frozen=True)
class TokenUsage:
    model: str
    provider: str | None
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens

    @property
    def units(self) -> int:
        """Thousands of tokens, rounded up (at least 1, since units are ≥ 1)."""
        return max(1, math.ceil(self.total_tokens / TOKENS_PER_UNIT))


@dataclass(frozen=True)
class ModelQuote:
    """A model's price for one usage, in USD, exact."""

    provider: str
    model: str
    input_cost: Decimal  # includes cache reads and writes
    output_cost: Decimal
    price_data_version: str

    @property
    def total(self) -> Decimal:
        return self.input_cost + self.output_cost


@dataclass(frozen=True)
class CostInputs:
    total_cost: Decimal | None  # explicit
    units: int | None  # explicit
    unit_price: Decimal | None  # explicit (v1)
    category_unit_price: Decimal | None
    is_llm_usage: bool
    metadata: dict[str, Any] | None
    currency: str  # the workspace's
    usd_exchange_rate: Decimal | None  # workspace currency per 1 USD


@dataclass(frozen=True)
class CostDecision:
    method: str
    total_cost: Decimal
    units: int | None
    unit_price: Decimal | None
    breakdown: dict[str, Any]

    @property
    def is_unpriced(self) -> bool:
        return self.method == UNPRICED


# A lookup that prices a usage, or says why it cannot (unknown model, ...).
Quoter = Callable[[TokenUsage], "ModelQuote | str"]


def token_usage(metadata: dict[str, Any] | None) -> TokenUsage | None:
    """The usage an LLM expense's metadata describes, or None when it names no model or no
    token counts. Counts that are present must be whole numbers ≥ 0 (400 otherwise)."""
    if not metadata:
        return None
    model = metadata.get("model")
    counts: dict[str, int] = {}
    for key in TOKEN_KEYS:
        value = metadata.get(key)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()))
            or not 0 <= value <= MAX_TOKENS
        ):
            raise ValidationError(
                f"metadata.{key} must be a whole number of tokens from 0 to {MAX_TOKENS} (got {value!r}).",
                field=f"metadata.{key}",
            )
        counts[key] = int(value)
    if not isinstance(model, str) or not model.strip():
        return None
    if "input_tokens" not in counts and "output_tokens" not in counts:
        return None
    provider = metadata.get("provider")
    return TokenUsage(
        model=model.strip(),
        provider=provider.strip() if isinstance(provider, str) and provider.strip() else None,
        input_tokens=counts.get("input_tokens", 0),
        output_tokens=counts.get("output_tokens", 0),
        cache_read_tokens=counts.get("cache_read_tokens", 0),
        cache_write_tokens=counts.get("cache_write_tokens", 0),
    )


def needs_amount(inputs: CostInputs) -> bool:
    """True when the request gives nothing to compute a total from: no total_cost, no units,
    and (for LLM Usage) no model with token counts."""
    if inputs.total_cost is not None or inputs.units is not None:
        return False
    return not (inputs.is_llm_usage and token_usage(inputs.metadata) is not None)


def decide(inputs: CostInputs, quote: Quoter) -> CostDecision:
    """Apply the four rules in order. ``quote`` is called only when rule 3 applies."""
    decision = _decide(inputs, quote)
    if decision.total_cost > MAX_TOTAL:
        raise ValidationError(
            f"The expense would total {decision.total_cost}; the largest total is {MAX_TOTAL}. Check units and prices.",
            field="units" if decision.method == UNIT else "total_cost",
        )
    return decision


def _decide(inputs: CostInputs, quote: Quoter) -> CostDecision:
    usage = token_usage(inputs.metadata) if inputs.is_llm_usage else None
    units = inputs.units
    if units is None and usage is not None:
        units = usage.units
    base = _empty_breakdown(inputs.currency, usage)

    if inputs.total_cost is not None:
        return CostDecision(MANUAL, inputs.total_cost, units, inputs.unit_price, {**base, "method": MANUAL})

    price = inputs.unit_price if inputs.unit_price is not None else inputs.category_unit_price
    if units is not None and price is not None:
        total = _stored(Decimal(units) * price)
        return CostDecision(UNIT, total, units, price, {**base, "method": UNIT})

    if usage is not None:
        quoted = quote(usage)
        if isinstance(quoted, str):
            return _unpriced(base, units, quoted)
        return _model_priced(inputs, base, units, quoted)

    if units is None:
        reason = "no total_cost or units were given"
    elif inputs.is_llm_usage:
        reason = (
            "LLM Usage has no unit price, and metadata does not name a model with token counts "
            "(model, input_tokens, output_tokens)"
        )
    else:
        reason = "the category has no unit price; give total_cost"
    return _unpriced(base, units, reason)


def _model_priced(inputs: CostInputs, base: dict[str, Any], units: int | None, q: ModelQuote) -> CostDecision:
    breakdown = {
        **base,
        "method": MODEL,
        "model": q.model,
        "provider": q.provider,
        "input_cost": q.input_cost,
        "output_cost": q.output_cost,
        "currency": USD,
        "price_data_version": q.price_data_version,
        "total_cost_usd": q.total,
    }
    if inputs.currency.upper() == USD:
        return CostDecision(MODEL, _stored(q.total), units, None, breakdown)
    rate = inputs.usd_exchange_rate
    if rate is None or rate <= 0:
        reason = (
            f"model prices are in USD and this workspace bills in {inputs.currency.upper()}; an administrator "
            "must set the USD exchange rate in the workspace settings"
        )
        return CostDecision(UNPRICED, Decimal(0), units, None, {**breakdown, "method": UNPRICED, "reason": reason})
    breakdown["usd_exchange_rate"] = rate
    return CostDecision(MODEL, _stored(q.total * rate), units, None, breakdown)


def _unpriced(base: dict[str, Any], units: int | None, reason: str) -> CostDecision:
    return CostDecision(UNPRICED, Decimal(0), units, None, {**base, "method": UNPRICED, "reason": reason})


def _empty_breakdown(currency: str, usage: TokenUsage | None) -> dict[str, Any]:
    return {
        "method": None,
        "model": usage.model if usage else None,
        "provider": usage.provider if usage else None,
        "input_tokens": usage.input_tokens if usage else None,
        "output_tokens": usage.output_tokens if usage else None,
        "cache_read_tokens": usage.cache_read_tokens if usage else None,
        "cache_write_tokens": usage.cache_write_tokens if usage else None,
        "input_cost": None,
        "output_cost": None,
        "currency": currency.upper(),
        "price_data_version": None,
        "total_cost_usd": None,
        "usd_exchange_rate": None,
        "reason": None,
    }


def _stored(amount: Decimal) -> Decimal:
    """Round to what the database keeps (six places, half-even); the breakdown stays exact."""
    return amount.quantize(STORED_PLACES, rounding=ROUND_HALF_EVEN)


def breakdown_to_json(breakdown: dict[str, Any]) -> dict[str, Any]:
    """Money as exact text for storage."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in breakdown.items()}


def breakdown_from_json(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    out = dict(stored)
    for key in MONEY_KEYS:
        if isinstance(out.get(key), str):
            out[key] = Decimal(out[key])
    return out

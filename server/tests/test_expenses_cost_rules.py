"""Pure tests of domain/expense_costs.py: the four pricing rules, in order (decisions §4)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from keito_server.domain.errors import ValidationError
from keito_server.domain.expense_costs import (
    CostInputs,
    ModelQuote,
    TokenUsage,
    breakdown_from_json,
    breakdown_to_json,
    decide,
    needs_amount,
    token_usage,
)

PER_INPUT = Decimal("0.000005")
PER_OUTPUT = Decimal("0.000025")


def fake_quote(usage: TokenUsage) -> ModelQuote | str:
    if usage.model != "known":
        return f"model '{usage.model}' is not in the price data"
    return ModelQuote(
        provider="acme",
        model="known",
        input_cost=(usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens) * PER_INPUT,
        output_cost=usage.output_tokens * PER_OUTPUT,
        price_data_version="test 1",
    )


def never(usage: TokenUsage) -> ModelQuote | str:
    raise AssertionError("the model must not be consulted")


def inputs(**kw: Any) -> CostInputs:
    values: dict[str, Any] = {
        "total_cost": None,
        "units": None,
        "unit_price": None,
        "category_unit_price": None,
        "is_llm_usage": True,
        "metadata": None,
        "currency": "USD",
        "usd_exchange_rate": None,
    }
    values.update(kw)
    return CostInputs(**values)


amounts = st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=10**8)
units = st.integers(min_value=1, max_value=10**6)


@given(total=amounts, n=st.none() | units, price=st.none() | amounts, cat=st.none() | amounts)
def test_explicit_total_always_wins(total: Decimal, n: int | None, price: Decimal | None, cat: Decimal | None) -> None:
    meta = {"model": "known", "input_tokens": 10, "output_tokens": 5}
    d = decide(inputs(total_cost=total, units=n, unit_price=price, category_unit_price=cat, metadata=meta), never)
    assert d.method == "manual" and d.total_cost == total and not d.is_unpriced
    assert d.breakdown["input_cost"] is None


@given(n=units, price=amounts, cat=st.none() | amounts)
def test_explicit_unit_price_beats_category_price(n: int, price: Decimal, cat: Decimal | None) -> None:
    d = decide(inputs(units=n, unit_price=price, category_unit_price=cat), never)
    assert d.method == "unit" and d.total_cost == (n * price).quantize(Decimal("0.000001"))
    assert d.unit_price == price


@given(n=units, cat=amounts, i=counts, o=counts)
def test_category_price_beats_model(n: int, cat: Decimal, i: int, o: int) -> None:
    meta = {"model": "known", "input_tokens": i, "output_tokens": o}
    d = decide(inputs(units=n, category_unit_price=cat, metadata=meta), never)
    assert d.method == "unit" and d.total_cost == (n * cat).quantize(Decimal("0.000001"))


@given(i=counts, o=counts, cr=counts, cw=counts, given_units=st.none() | units)
def test_model_price_is_exact_and_units_are_thousands_rounded_up(
    i: int, o: int, cr: int, cw: int, given_units: int | None
) -> None:
    meta = {"model": "known", "input_tokens": i, "output_tokens": o, "cache_read_tokens": cr, "cache_write_tokens": cw}
    d = decide(inputs(units=given_units, metadata=meta), fake_quote)
    exact = (i + cr + cw) * PER_INPUT + o * PER_OUTPUT
    assert d.method == "model"
    assert d.breakdown["total_cost_usd"] == exact
    assert d.breakdown["input_cost"] + d.breakdown["output_cost"] == exact
    assert abs(d.total_cost - exact) <= Decimal("0.0000005")
    total_tokens = i + o + cr + cw
    assert d.units == (given_units if given_units is not None else max(1, math.ceil(total_tokens / 1000)))
    assert d.breakdown["currency"] == "USD" and d.breakdown["price_data_version"] == "test 1"


def test_units_rounding_edges() -> None:
    for tokens, expected in [(0, 1), (1, 1), (999, 1), (1000, 1), (1001, 2), (45000, 45), (45001, 46)]:
        usage = token_usage({"model": "m", "input_tokens": tokens})
        assert usage is not None and usage.units == expected, tokens


def test_unknown_model_is_unpriced_with_reason() -> None:
    d = decide(inputs(units=3, metadata={"model": "mystery", "input_tokens": 1}), fake_quote)
    assert d.is_unpriced and d.total_cost == 0 and d.units == 3
    assert "mystery" in d.breakdown["reason"]


@pytest.mark.parametrize(
    "kw",
    [
        {"units": 3},  # LLM Usage without a model
        {"units": 3, "metadata": {"model": "known"}},  # a model but no token counts
        {"units": 3, "metadata": {"input_tokens": 10}},  # tokens but no model
        {"units": 3, "is_llm_usage": False},  # a standard category
        {"units": 3, "is_llm_usage": False, "metadata": {"model": "known", "input_tokens": 10}},
    ],
)
def test_otherwise_unpriced_never_dropped(kw: dict[str, Any]) -> None:
    d = decide(inputs(**kw), never)
    assert d.method == "unpriced" and d.total_cost == 0 and d.units == 3 and d.breakdown["reason"]


def test_needs_amount() -> None:
    assert needs_amount(inputs())
    assert needs_amount(inputs(is_llm_usage=False, metadata={"model": "known", "input_tokens": 1}))
    assert not needs_amount(inputs(units=1))
    assert not needs_amount(inputs(total_cost=Decimal(0)))
    assert not needs_amount(inputs(metadata={"model": "known", "output_tokens": 1}))


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True, [1], {"n": 1}])
def test_bad_token_counts_are_400(bad: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        token_usage({"model": "known", "input_tokens": 1, "output_tokens": bad})
    assert exc.value.field == "metadata.output_tokens"


def test_whole_floats_are_token_counts() -> None:
    usage = token_usage({"model": " known ", "input_tokens": 10.0, "provider": "acme"})
    assert usage == TokenUsage("known", "acme", 10, 0, 0, 0)


@given(rate=st.decimals(min_value="0.01", max_value=1000, places=4), i=counts, o=counts)
def test_currency_conversion(rate: Decimal, i: int, o: int) -> None:
    meta = {"model": "known", "input_tokens": i, "output_tokens": o}
    d = decide(inputs(metadata=meta, currency="eur", usd_exchange_rate=rate), fake_quote)
    usd = i * PER_INPUT + o * PER_OUTPUT
    assert d.method == "model"
    assert d.total_cost == (usd * rate).quantize(Decimal("0.000001"))
    assert d.breakdown["usd_exchange_rate"] == rate and d.breakdown["total_cost_usd"] == usd


@pytest.mark.parametrize("rate", [None, Decimal(0)])
def test_non_usd_without_rate_is_unpriced_and_says_why(rate: Decimal | None) -> None:
    meta = {"model": "known", "input_tokens": 1000, "output_tokens": 1000}
    d = decide(inputs(metadata=meta, currency="GBP", usd_exchange_rate=rate), fake_quote)
    assert d.is_unpriced and d.total_cost == 0
    assert "GBP" in d.breakdown["reason"] and "exchange rate" in d.breakdown["reason"]
    assert d.breakdown["total_cost_usd"] == Decimal("0.03")


def test_manual_breakdown_uses_workspace_currency() -> None:
    d = decide(inputs(total_cost=Decimal(5), currency="jpy", is_llm_usage=False), never)
    assert d.breakdown["currency"] == "JPY" and d.breakdown["model"] is None


@given(i=counts, o=counts)
def test_breakdown_round_trips_exactly(i: int, o: int) -> None:
    d = decide(inputs(metadata={"model": "known", "input_tokens": i, "output_tokens": o}), fake_quote)
    stored = breakdown_to_json(d.breakdown)
    assert all(not isinstance(v, Decimal) for v in stored.values())
    assert breakdown_from_json(stored) == d.breakdown


def test_totals_and_token_counts_have_limits() -> None:
    with pytest.raises(ValidationError) as exc:
        decide(inputs(units=10**9, unit_price=Decimal(10) ** 11), never)
    assert exc.value.field == "units"
    with pytest.raises(ValidationError):
        token_usage({"model": "known", "input_tokens": 10**400})
    with pytest.raises(ValidationError):
        token_usage({"model": "known", "input_tokens": float("inf")})
    usage = token_usage({"model": "known", "input_tokens": 10**11, "output_tokens": 10**11})
    assert usage is not None and usage.units == 2 * 10**8

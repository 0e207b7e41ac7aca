"""services/pricing.py: real genai-prices data, exact Decimals, unknown models explained."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from keito_server.domain.expense_costs import ModelQuote, TokenUsage
from keito_server.services import pricing


def usage(model: str, i: int = 0, o: int = 0, cr: int = 0, cw: int = 0, provider: str | None = None) -> TokenUsage:
    return TokenUsage(model, provider, i, o, cr, cw)


def test_quickstart_price() -> None:
    q = pricing.quote(usage("claude-opus-4-6", 30000, 15000), date(2026, 3, 6))
    assert isinstance(q, ModelQuote)
    assert q.provider == "anthropic" and q.model == "claude-opus-4-6"
    assert q.input_cost == Decimal("0.15") and q.output_cost == Decimal("0.375") and q.total == Decimal("0.525")
    assert q.price_data_version.startswith("genai-prices ")


def test_exact_to_the_token() -> None:
    one = pricing.quote(usage("claude-opus-4-6", 1, 0))
    assert isinstance(one, ModelQuote) and one.input_cost == Decimal("0.000005")
    # A cheap model's single token is below a micro-dollar; the quote keeps it exactly.
    cheap = pricing.quote(usage("gpt-4o-mini", 1, 1))
    assert isinstance(cheap, ModelQuote)
    assert cheap.input_cost == Decimal("0.00000015") and cheap.output_cost == Decimal("0.0000006")


def test_cache_tokens_come_on_top_of_input_tokens() -> None:
    q = pricing.quote(usage("claude-opus-4-6", 10000, 2000, cr=100000, cw=4000))
    assert isinstance(q, ModelQuote)
    # 10k x $5/M + 100k x $0.50/M + 4k x $6.25/M
    assert q.input_cost == Decimal("0.125") and q.output_cost == Decimal("0.05")


def test_provider_hint_and_unknown_models() -> None:
    hinted = pricing.quote(usage("claude-opus-4-6", 1000, provider="anthropic"))
    assert isinstance(hinted, ModelQuote) and hinted.provider == "anthropic"
    unknown = pricing.quote(usage("no-such-model-xyz", 10, 10))
    assert isinstance(unknown, str) and "no-such-model-xyz" in unknown and "genai-prices" in unknown
    wrong_provider = pricing.quote(usage("claude-opus-4-6", 10, provider="no-such-provider"))
    assert isinstance(wrong_provider, str) and "no-such-provider" in wrong_provider

"""LLM prices from the ``genai-prices`` package (offline data, exact Decimals).

This is the only module that imports ``genai_prices``; everything else sees
``domain.expense_costs.ModelQuote`` or the reason a usage could not be priced.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from genai_prices import Usage, calc_price

from keito_server.domain.expense_costs import ModelQuote, TokenUsage


@lru_cache(maxsize=1)
def price_data_version() -> str:
    """Which price data priced an expense: the bundled data of this genai-prices release."""
    try:
        return f"genai-prices {version('genai-prices')}"
    except PackageNotFoundError:  # pragma: no cover - installed with the server
        return "genai-prices"


def quote(usage: TokenUsage, spent_date: date | None = None) -> ModelQuote | str:
    """The USD price of ``usage``, as of ``spent_date`` (prices change over time), or the reason
    it has none. genai-prices counts cached tokens inside ``input_tokens``; ours come on top
    (ADR 0201), so they are added here."""
    counted = Usage(
        input_tokens=usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens or None,
        cache_write_tokens=usage.cache_write_tokens or None,
    )
    when = datetime.combine(spent_date, time(12), UTC) if spent_date else None
    try:
        result = calc_price(counted, usage.model, provider_id=usage.provider, genai_request_timestamp=when)
    except LookupError:
        where = f" from provider '{usage.provider}'" if usage.provider else ""
        return f"model '{usage.model}'{where} is not in the price data ({price_data_version()}); give total_cost"
    except (ValueError, TypeError) as exc:
        return f"model '{usage.model}' could not be priced ({exc}); give total_cost"
    return ModelQuote(
        provider=result.provider.id,
        model=result.model.id,
        input_cost=result.input_price,
        output_cost=result.output_price,
        price_data_version=price_data_version(),
    )

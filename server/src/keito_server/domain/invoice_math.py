"""Invoice arithmetic and numbering: pure, exact, stdlib only.

Every amount on an invoice is rounded to the currency's minor unit, half-even, through
``money.round_to_minor`` and nowhere else. The order (Harvest's):

    line amount      = round(quantity × unit_price)
    subtotal         = Σ line amounts                                   (exact: already rounded)
    discount_amount  = round(subtotal × discount%)
    tax_amount       = round(Σ taxed line amounts × (1 − discount%) × tax%)
    tax2_amount      = round(Σ taxed2 line amounts × (1 − discount%) × tax2%)
    amount           = subtotal − discount_amount + tax_amount + tax2_amount

Percentages are given as numbers such as 20 (for 20 %).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from keito_server.domain.money import round_to_minor

HUNDRED = Decimal(100)
ZERO = Decimal(0)

# Days until due for each Harvest payment term; ``custom`` needs an explicit due date.
PAYMENT_TERM_DAYS = {"upon_receipt": 0, "net_15": 15, "net_30": 30, "net_45": 45, "net_60": 60}
PAYMENT_TERMS = (*PAYMENT_TERM_DAYS, "custom")
STATES = ("draft", "open", "paid", "closed")
DEFAULT_NUMBER_PATTERN = "INV-{YYYY}-{####}"
_COUNTER = re.compile(r"\{(#+)\}")


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    taxed: bool = False
    taxed2: bool = False


@dataclass(frozen=True)
class Totals:
    line_amounts: tuple[Decimal, ...]
    subtotal: Decimal
    discount_amount: Decimal | None
    tax_amount: Decimal | None
    tax2_amount: Decimal | None
    amount: Decimal


def line_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    return round_to_minor(quantity * unit_price, currency)


def totals(
    lines: list[LineInput],
    currency: str,
    *,
    tax: Decimal | None = None,
    tax2: Decimal | None = None,
    discount: Decimal | None = None,
) -> Totals:
    """The invoice's amounts. A percentage left out (None) gives a None amount, as Harvest shows it."""
    amounts = tuple(line_amount(li.quantity, li.unit_price, currency) for li in lines)
    subtotal = sum(amounts, ZERO)
    keep = (HUNDRED - (discount or ZERO)) / HUNDRED  # the share of each line left after the discount
    discount_amount = None if discount is None else round_to_minor(subtotal * discount / HUNDRED, currency)
    taxed = sum((a for a, li in zip(amounts, lines, strict=True) if li.taxed), ZERO)
    taxed2 = sum((a for a, li in zip(amounts, lines, strict=True) if li.taxed2), ZERO)
    tax_amount = None if tax is None else round_to_minor(taxed * keep * tax / HUNDRED, currency)
    tax2_amount = None if tax2 is None else round_to_minor(taxed2 * keep * tax2 / HUNDRED, currency)
    amount = subtotal - (discount_amount or ZERO) + (tax_amount or ZERO) + (tax2_amount or ZERO)
    return Totals(amounts, subtotal, discount_amount, tax_amount, tax2_amount, amount)


def due_date_for(issue_date: date, payment_term: str, payment_days: int | None = None) -> date | None:
    """The due date a term gives; ``custom`` gives ``payment_days`` after issue, or None when unknown."""
    if payment_term in PAYMENT_TERM_DAYS:
        return issue_date + timedelta(days=PAYMENT_TERM_DAYS[payment_term])
    if payment_term == "custom" and payment_days is not None:
        return issue_date + timedelta(days=payment_days)
    return None


def check_number_pattern(pattern: str) -> None:
    """A pattern needs exactly one counter (``{###}``) so numbers stay unique."""
    if len(_COUNTER.findall(pattern)) != 1:
        raise ValueError("the invoice number pattern needs exactly one counter such as {####}")


def format_number(pattern: str, sequence: int, issue_date: date) -> str:
    """``INV-{YYYY}-{####}``, 7, 2026-03-06 -> ``INV-2026-0007``. Also ``{YY}``, ``{MM}``, ``{DD}``."""
    text = _COUNTER.sub(lambda m: str(sequence).zfill(len(m.group(1))), pattern)
    return (
        text.replace("{YYYY}", f"{issue_date.year:04d}")
        .replace("{YY}", f"{issue_date.year % 100:02d}")
        .replace("{MM}", f"{issue_date.month:02d}")
        .replace("{DD}", f"{issue_date.day:02d}")
    )


def settle(amount: Decimal, paid: Decimal) -> tuple[Decimal, bool]:
    """(due amount, fully paid?) after payments totalling ``paid``."""
    due = amount - paid
    return (due if due > ZERO else ZERO), due <= ZERO

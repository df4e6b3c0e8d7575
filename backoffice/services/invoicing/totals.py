"""Invoice arithmetic per EN 16931, as pure functions over Decimals."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ..money import round_money
from .vat_categories import VatTerms

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineAmounts:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate_id: int
    tax_percentage: Decimal
    tax_category: str


@dataclass(frozen=True)
class RateTotal:
    tax_rate_id: int
    percentage: Decimal
    category: str
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class Totals:
    line_nets: tuple[Decimal, ...]
    breakdown: tuple[RateTotal, ...]
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    currency: str


def line_net(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, currency: str
) -> Decimal:
    """Quantity x unit price less the line discount, rounded once to minor units."""
    gross = quantity * unit_price
    return round_money(gross - gross * discount_percent / HUNDRED, currency)


def compute_totals(lines: Iterable[LineAmounts], currency: str) -> Totals:
    """Compute line nets, the per-rate VAT breakdown and the invoice totals.

    Tax is rounded once per rate on the sum of that rate's line nets, never per line.
    """
    lines = list(lines)
    nets = tuple(
        line_net(line.quantity, line.unit_price, line.discount_percent, currency) for line in lines
    )
    taxable: dict[int, Decimal] = {}
    rate_of: dict[int, LineAmounts] = {}
    for line, net in zip(lines, nets, strict=True):
        taxable[line.tax_rate_id] = taxable.get(line.tax_rate_id, Decimal(0)) + net
        rate_of.setdefault(line.tax_rate_id, line)
    breakdown = tuple(
        RateTotal(
            tax_rate_id=rate_id,
            percentage=rate_of[rate_id].tax_percentage,
            category=rate_of[rate_id].tax_category,
            taxable_amount=amount,
            tax_amount=round_money(amount * rate_of[rate_id].tax_percentage / HUNDRED, currency),
        )
        for rate_id, amount in sorted(
            taxable.items(), key=lambda item: (rate_of[item[0]].tax_percentage, item[0])
        )
    )
    return _summed(nets, breakdown, currency)


def _summed(nets: tuple[Decimal, ...], breakdown: tuple[RateTotal, ...], currency: str) -> Totals:
    net_amount = sum((rate.taxable_amount for rate in breakdown), Decimal(0))
    tax_amount = sum((rate.tax_amount for rate in breakdown), Decimal(0))
    return Totals(
        line_nets=nets,
        breakdown=breakdown,
        net_amount=round_money(net_amount, currency),
        tax_amount=round_money(tax_amount, currency),
        total_amount=round_money(net_amount + tax_amount, currency),
        currency=currency,
    )


def with_breakdown(totals: Totals, breakdown: tuple[RateTotal, ...]) -> Totals:
    """The same lines with an adjusted per-rate breakdown, and the totals that follow."""
    return _summed(totals.line_nets, breakdown, totals.currency)


class HasAmounts(Protocol):
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate_id: int


def totals_of_lines(
    lines: Iterable[HasAmounts], rates: Mapping[int, VatTerms], currency: str
) -> Totals:
    """compute_totals for invoice lines, given each tax rate's terms."""
    return compute_totals(
        (
            LineAmounts(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate_id=line.tax_rate_id,
                tax_percentage=rates[line.tax_rate_id].percentage,
                tax_category=rates[line.tax_rate_id].category,
            )
            for line in lines
        ),
        currency,
    )

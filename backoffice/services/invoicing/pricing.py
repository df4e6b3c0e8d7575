"""Pricing a draft: line nets, the per-rate tax rows and the totals, set on its objects."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Invoice, InvoiceKind, InvoiceTaxTotal, TaxRate

from ..money import check_fits
from . import credit_notes
from .totals import HasAmounts, RateTotal, Totals, totals_of_lines
from .vat_categories import VatTerms


def price(session: Session, invoice: Invoice, loaded: Mapping[int, TaxRate] | None = None) -> None:
    """Set a draft's line nets, per-rate tax rows and totals on its objects; flush them later.

    Figures that did not move are left alone, so the next flush writes only what changed:
    issuing a draft saved with its current totals writes no line and no tax row. The caller
    has checked that the invoice is a draft. loaded: the lines' tax rates by id, when the
    caller loaded them with the lines (then they are not queried again).
    """
    lines = list(invoice.lines)
    totals, rates = figures(session, lines, invoice.currency, invoice, loaded)
    for line, net in zip(lines, totals.line_nets, strict=True):
        _change(line, net_amount=net)
    _keep_tax_rows(invoice, totals, rates)
    _change(
        invoice,
        net_amount=totals.net_amount,
        tax_amount=totals.tax_amount,
        total_amount=totals.total_amount,
    )


def figures(
    session: Session,
    lines: Sequence[HasAmounts],
    currency: str,
    draft: Invoice | None = None,
    loaded: Mapping[int, TaxRate] | None = None,
) -> tuple[Totals, dict[int, VatTerms]]:
    """The line nets, per-rate breakdown and totals these lines make, and each rate's terms.

    draft is the document the lines belong to, if it exists: a credit note's tax follows what
    its invoice charged. Amounts the books cannot hold are refused, naming the line.
    """
    original = _original_of(draft)
    rates = _rates_for(session, original, {line.tax_rate_id for line in lines}, loaded)
    totals = totals_of_lines(lines, rates, currency)
    if original is not None:
        totals = credit_notes.fit_tax_to_what_is_left(session, draft, totals)
    _check_amounts_fit(totals)
    return totals, rates


def _original_of(draft: Invoice | None) -> Invoice | None:
    if draft is None or draft.kind != InvoiceKind.CREDIT_NOTE:
        return None
    return draft.original_invoice


def _change(row: object, **values: object) -> None:
    """Set the values that differ: an object given even an equal value is flushed."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _keep_tax_rows(invoice: Invoice, totals: Totals, terms: Mapping[int, VatTerms]) -> None:
    """Bring the invoice's tax rows to the breakdown, updating each rate's row in place.

    Deleting a rate's row and adding it again would collide with itself on the unique
    (invoice, rate) within one flush, and rewrite rows that did not change.
    """
    current = {row.tax_rate_id: row for row in invoice.tax_totals}
    rows = []
    for rate in totals.breakdown:
        values = _tax_row_values(rate, terms[rate.tax_rate_id])
        row = current.get(rate.tax_rate_id)
        if row is None:
            row = InvoiceTaxTotal(**values)
        else:
            _change(row, **values)
        rows.append(row)
    if rows != invoice.tax_totals:
        invoice.tax_totals = rows  # a rate no line uses any more loses its row (delete-orphan)


def _check_amounts_fit(totals: Totals) -> None:
    """Refuse amounts the books cannot hold, naming the line, instead of failing the save."""
    money = Invoice.__table__.c.total_amount.type
    for position, net in enumerate(totals.line_nets, start=1):
        check_fits(net, money, "unit_price", f"Line {position}: its amount")
    for field, amount in (("net_amount", totals.net_amount), ("total_amount", totals.total_amount)):
        check_fits(amount, money, field, "The invoice total")


def tax_total_rows(totals: Totals, terms: Mapping[int, VatTerms]) -> list[InvoiceTaxTotal]:
    """The per-rate breakdown as rows kept with the invoice, with each rate's VAT terms."""
    return [
        InvoiceTaxTotal(**_tax_row_values(rate, terms[rate.tax_rate_id]))
        for rate in totals.breakdown
    ]


def _tax_row_values(rate: RateTotal, terms: VatTerms) -> dict[str, Any]:
    return {
        "tax_rate_id": rate.tax_rate_id,
        "percentage": rate.percentage,
        "category": rate.category,
        "exemption_code": terms.exemption_code,
        "exemption_reason": terms.exemption_reason,
        "taxable_amount": rate.taxable_amount,
        "tax_amount": rate.tax_amount,
    }


def _rates_for(
    session: Session,
    original: Invoice | None,
    rate_ids: set[int],
    loaded: Mapping[int, TaxRate] | None,
) -> dict[int, VatTerms]:
    """The VAT terms of each tax rate; a credit note keeps what its original charged."""
    if loaded is not None and rate_ids <= loaded.keys():
        found = [loaded[rate_id] for rate_id in rate_ids]
    else:
        found = session.scalars(select(TaxRate).where(TaxRate.id.in_(rate_ids)))
    rates = {rate.id: terms_of(rate) for rate in found}
    if original is not None:
        for charged in original.tax_totals:
            if charged.tax_rate_id in rates:
                rates[charged.tax_rate_id] = terms_of(charged)
    return rates


def terms_of(rate: TaxRate | InvoiceTaxTotal) -> VatTerms:
    """The VAT terms a tax rate, or an issued invoice's tax row, carries."""
    return VatTerms(rate.category, rate.percentage, rate.exemption_code, rate.exemption_reason)

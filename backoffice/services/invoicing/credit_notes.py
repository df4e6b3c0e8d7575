"""What a credit note may credit: never more than is left, overall and per tax rate."""

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, InvoiceTaxTotal

from ..errors import DomainError
from ..money import format_money
from ..money import format_plain as plain
from .status import OPEN_STATUSES
from .totals import Totals, with_breakdown


def creditable_amount(invoice: Invoice) -> Decimal:
    """What is left to credit on an invoice: its total less issued credit notes."""
    return invoice.total_amount - invoice.credited_amount


def check_creditable(original: Invoice) -> None:
    """Refuse crediting anything but an open invoice with something left to credit."""
    if original.kind != InvoiceKind.INVOICE:
        raise DomainError("Only an invoice can be credited, not a credit note.")
    if original.status not in OPEN_STATUSES or creditable_amount(original) <= 0:
        raise DomainError(f"Nothing is left to credit on {original}.")


def copied_lines(original: Invoice) -> list[InvoiceLine]:
    """The original's lines, to be reduced for a partial credit."""
    return [
        InvoiceLine(
            position=line.position,
            product_id=line.product_id,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate_id=line.tax_rate_id,
        )
        for line in original.lines
    ]


def lines_left(session: Session, original: Invoice) -> list[InvoiceLine]:
    """Lines crediting everything still creditable on an invoice.

    Before any credit note these are the invoice's own lines; after a partial credit, one
    line per tax rate with what is left there, so the rest is credited to the cent.
    """
    if not original.credited_amount:
        return copied_lines(original)
    left = sorted(left_per_rate(session, original).items())
    return [
        InvoiceLine(
            position=position,
            description=f"Rest of {original.reference}",
            quantity=Decimal(1),
            unit="unit",
            unit_price=rest.taxable_amount,
            discount_percent=Decimal(0),
            tax_rate_id=rate_id,
        )
        for position, (rate_id, rest) in enumerate(left, start=1)
        if rest.taxable_amount > 0
    ]


@dataclass(frozen=True)
class RateLeft:
    """What is still creditable at one tax rate of an invoice."""

    taxable_amount: Decimal
    tax_amount: Decimal


def left_per_rate(session: Session, original: Invoice, note: Invoice | None = None) -> dict:
    """Per tax rate id: what the invoice charged less its issued credit notes (but note)."""
    query = (
        select(
            InvoiceTaxTotal.tax_rate_id,
            func.sum(InvoiceTaxTotal.taxable_amount),
            func.sum(InvoiceTaxTotal.tax_amount),
        )
        .join(Invoice, Invoice.id == InvoiceTaxTotal.invoice_id)
        .where(
            Invoice.original_invoice_id == original.id,
            Invoice.status != InvoiceStatus.DRAFT,
        )
        .group_by(InvoiceTaxTotal.tax_rate_id)
    )
    if note is not None and note.id is not None:
        query = query.where(Invoice.id != note.id)
    credited = {rate_id: (taxable, tax) for rate_id, taxable, tax in session.execute(query)}
    return {
        total.tax_rate_id: RateLeft(
            total.taxable_amount - credited.get(total.tax_rate_id, (0, 0))[0],
            total.tax_amount - credited.get(total.tax_rate_id, (0, 0))[1],
        )
        for total in original.tax_totals
    }


def fit_tax_to_what_is_left(session: Session, note: Invoice, totals: Totals) -> Totals:
    """A credit note's tax per rate, so that its credit notes add up to exactly the invoice.

    Tax is rounded per document, so crediting a rate in parts would round up to a cent more
    than was charged (12.50 + 12.50 at 19 %: 2.38 + 2.38 against 4.75). The note that credits
    the rest of a rate takes the rest of its tax, and no note takes more tax than is left.
    """
    left = left_per_rate(session, note.original_invoice, note)
    breakdown = []
    for rate in totals.breakdown:
        tax = rate.tax_amount
        if (rest := left.get(rate.tax_rate_id)) is not None:
            full = rate.taxable_amount == rest.taxable_amount
            tax = rest.tax_amount if full else min(tax, max(rest.tax_amount, Decimal(0)))
        breakdown.append(replace(rate, tax_amount=tax))
    return with_breakdown(totals, tuple(breakdown))


def check_note(session: Session, note: Invoice, original: Invoice) -> None:
    """Refuse a credit note that does not fit what is left on its invoice.

    It must keep the invoice's company, customer and currency, credit only the tax rates the
    invoice charged, and never more per rate or in total than is still creditable.
    """
    check_creditable(original)
    same = (note.company_id, note.customer_id, note.currency)
    if same != (original.company_id, original.customer_id, original.currency):
        raise DomainError(
            "A credit note keeps the company, customer and currency of the invoice it corrects."
        )
    left = creditable_amount(original)
    if note.total_amount > left:
        raise DomainError(
            f"The credit note ({format_money(note.total_amount, note.currency)}) is more than "
            f"what is left to credit on {original.reference} ({format_money(left, note.currency)})."
        )
    left = left_per_rate(session, original, note)
    for total in note.tax_totals:
        if total.tax_rate_id not in left:
            raise DomainError(
                f"{original.reference} charged no tax at {plain(total.percentage)}%: a credit "
                "note credits only the rates the invoice used."
            )
        rest = left[total.tax_rate_id]
        if total.taxable_amount > rest.taxable_amount:
            raise DomainError(
                f"At {plain(total.percentage)}% only "
                f"{format_money(rest.taxable_amount, note.currency)} is left to credit on "
                f"{original.reference}."
            )
        if total.tax_amount > rest.tax_amount:
            raise DomainError(
                f"At {plain(total.percentage)}% only {format_money(rest.tax_amount, note.currency)}"
                f" of tax is left to credit on {original.reference}."
            )

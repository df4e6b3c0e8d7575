"""What a credit note may credit: never more than is left, overall and per tax rate."""

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, InvoiceTaxTotal

from ..errors import DomainError
from ..money import format_money
from ..money import format_plain as plain
from .status import OPEN_STATUSES


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


def _credited_per_rate(session: Session, original: Invoice, note: Invoice) -> dict[int, Decimal]:
    rows = session.execute(
        select(InvoiceTaxTotal.tax_rate_id, func.sum(InvoiceTaxTotal.taxable_amount))
        .join(Invoice, Invoice.id == InvoiceTaxTotal.invoice_id)
        .where(
            Invoice.original_invoice_id == original.id,
            Invoice.status != InvoiceStatus.DRAFT,
            Invoice.id != note.id,
        )
        .group_by(InvoiceTaxTotal.tax_rate_id)
    )
    return dict(rows.all())


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
    charged = {total.tax_rate_id: total.taxable_amount for total in original.tax_totals}
    credited = _credited_per_rate(session, original, note)
    for total in note.tax_totals:
        if total.tax_rate_id not in charged:
            raise DomainError(
                f"{original.reference} charged no tax at {plain(total.percentage)}%: a credit "
                "note credits only the rates the invoice used."
            )
        rate_left = charged[total.tax_rate_id] - credited.get(total.tax_rate_id, 0)
        if total.taxable_amount > rate_left:
            raise DomainError(
                f"At {plain(total.percentage)}% only {format_money(rate_left, note.currency)} "
                f"is left to credit on {original.reference}."
            )

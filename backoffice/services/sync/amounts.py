"""What the books hold of a document's money: which payments they see, and how much of a
credit note is set against the invoice it credits.

Money received from outside reaches the books as payments. Of the moves between an invoice
and the customer's credit, only a credit application does: a payment from the clearing
account mapped to the customer_credit method. The rest (overpayments and credit-note excess
kept as credit, their reversals) stays out: the books saw the payment or note whole.
"""

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, object_session

from models import CreditKind, CustomerCreditEntry, Invoice, InvoiceStatus, Payment, PaymentMethod

from ..money import round_money


def in_books_clause():
    """SQL: the payment is money from outside, or a credit application."""
    return or_(
        Payment.method != PaymentMethod.CUSTOMER_CREDIT,
        exists().where(
            CustomerCreditEntry.payment_id == Payment.id,
            CustomerCreditEntry.kind == CreditKind.APPLIED,
        ),
    )


def in_books(session: Session, payments: Iterable[Payment]) -> list[Payment]:
    """The payments the books hold, with their reversals (a pair nets to nothing there, as
    the books deleted the payment)."""
    payments = list(payments)
    moves = [p for p in payments if p.method == PaymentMethod.CUSTOMER_CREDIT]
    asked = {p.id for p in moves} | {p.reverses_id for p in moves if p.reverses_id}
    applied = set()
    if asked:
        applied = set(
            session.scalars(
                select(CustomerCreditEntry.payment_id).where(
                    CustomerCreditEntry.payment_id.in_(asked),
                    CustomerCreditEntry.kind == CreditKind.APPLIED,
                )
            )
        )
    return [
        p
        for p in payments
        if p.method != PaymentMethod.CUSTOMER_CREDIT or p.id in applied or p.reverses_id in applied
    ]


def allocatable(note: Invoice) -> Decimal:
    """The note's total, but never more than the invoice still owed before it.

    The books refuse an allocation above what is due: after payments, the rest of the note
    stays unallocated there, as the credit the customer is owed back (customer credit here).
    """
    original = note.original_invoice
    earlier = sum(
        (
            other.total_amount
            for other in original.credit_notes
            if other.id != note.id
            and other.status != InvoiceStatus.DRAFT
            and (other.issued_at, other.id) < (note.issued_at, note.id)
        ),
        Decimal(0),
    )
    paid = sum((p.amount for p in in_books(object_session(note), original.payments)), Decimal(0))
    owed = original.total_amount - paid - earlier
    return round_money(max(Decimal(0), min(note.total_amount, owed)), note.currency)


def line_taxes(document: Invoice) -> list[Decimal]:
    """Each line's share of its rate's tax, in line order, adding up to the document's tax.

    The document rounds tax once per rate; the books, told nothing, round it per line and
    can land a cent or more away (15 % of 25.06, 25.61 and 25.63: 11.44 against 11.45). A
    rate's tax is shared by the lines' nets; what rounding leaves goes to its largest line.
    """
    shares: list[Decimal] = [Decimal(0)] * len(document.lines)
    positions: dict[int, list[int]] = {}
    for n, line in enumerate(document.lines):
        positions.setdefault(line.tax_rate_id, []).append(n)
    for total in document.tax_totals:
        lines = positions.get(total.tax_rate_id, [])
        for n in lines:
            if total.taxable_amount:
                share = total.tax_amount * document.lines[n].net_amount / total.taxable_amount
                shares[n] = round_money(share, document.currency)
        if lines:
            largest = max(lines, key=lambda n: document.lines[n].net_amount)
            shares[largest] += total.tax_amount - sum(shares[n] for n in lines)
    return shares

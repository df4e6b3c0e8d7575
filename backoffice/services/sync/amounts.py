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

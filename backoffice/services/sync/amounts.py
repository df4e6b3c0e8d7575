"""How much of a credit note is set against the invoice it credits in the books."""

from decimal import Decimal

from models import Invoice, InvoiceStatus, PaymentMethod

from ..money import round_money


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
    # Money moved between the invoice and the customer's credit stays out: the books saw the
    # payment applied, and the excess is the part of this note they leave unallocated.
    paid = sum(
        (p.amount for p in original.payments if p.method != PaymentMethod.CUSTOMER_CREDIT),
        Decimal(0),
    )
    owed = original.total_amount - paid - earlier
    return round_money(max(Decimal(0), min(note.total_amount, owed)), note.currency)

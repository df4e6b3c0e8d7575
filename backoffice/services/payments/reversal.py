"""Reversing a payment or refund: never deleted, undone by an opposite payment with a reason."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CreditKind, Payment, PaymentMethod, PaymentSource, SyncRecordType, User

from ..errors import DomainError
from ..locking import lock_invoice
from ..permissions import Action, require
from ..scoping import require_company
from ..sync import records as sync_records
from . import customer_credit
from .bank import reconciliation as bank_reconciliation
from .booking import book

REASON_MAX = 500


def _check_reversible(session: Session, payment: Payment, reason: str) -> None:
    if payment.reverses_id is not None:
        raise DomainError("A reversal cannot itself be reversed; record the payment again.")
    if payment.method == PaymentMethod.CUSTOMER_CREDIT and payment.amount < 0:
        raise DomainError(
            "Money moved to customer credit follows the payment or credit note that put it "
            "there; reverse that payment, or refund the credit."
        )
    # Asked under the invoice's lock: a reversal committed meanwhile is seen here.
    done = session.scalar(select(Payment).where(Payment.reverses_id == payment.id))
    if done is not None:
        raise DomainError(f"That payment was already reversed on {done.payment_date}.")
    if not reason:
        raise DomainError("Give a reason for the reversal.", "reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"The reason has at most {REASON_MAX} characters.", "reason")


def reverse_payment(
    session: Session, actor: User, payment: Payment, reason: str, on: date
) -> Payment:
    """Undo a payment, refund or credit application; balance, status and credit follow."""
    require(actor, Action.RECORD_PAYMENT)
    invoice = payment.invoice
    require_company(actor, invoice.company_id)
    lock_invoice(session, invoice)
    reason = (reason or "").strip()
    _check_reversible(session, payment, reason)
    label = "refund" if payment.amount < 0 else "payment"
    # A payment whose money already left the invoice (refunded, or moved to credit when it
    # overpaid) takes what is missing back from the customer's credit, or is refused.
    shortfall = payment.amount - invoice.paid_amount
    if shortfall > 0:
        customer_credit.take_back(
            session,
            invoice,
            shortfall,
            f"Reversal of a payment on {invoice.reference}",
            actor.id,
            on,
        )
    if payment.method == PaymentMethod.CUSTOMER_CREDIT:
        # Undoing a credit application gives the credit back.
        entry = customer_credit.transfer(
            session,
            invoice,
            payment.amount,
            CreditKind.REVERSAL,
            f"Credit use on {invoice.reference} reversed: {reason}",
            actor.id,
            on,
            reverses=payment,
        )
        # An application the books have is deleted there; other moves never reached them.
        sync_records.request_push(
            session, invoice.company_id, SyncRecordType.PAYMENT, payment.id, existing_only=True
        )
        return entry.payment
    reversal = Payment(
        payment_date=on,
        amount=-payment.amount,
        method=payment.method,
        reference=payment.reference,
        source=PaymentSource.MANUAL.value,
        reverses=payment,
        reason=reason,
        created_by_id=actor.id,
    )
    book(session, invoice, reversal, f"{label}.reverse")
    if payment.source == PaymentSource.BANK_IMPORT:
        bank_reconciliation.reopen_after_reversal(session, payment)
    if payment.amount > 0:
        # The books have the payment: it is deleted there (no provider takes a negative one).
        sync_records.request_push(
            session, invoice.company_id, SyncRecordType.PAYMENT, payment.id, existing_only=True
        )
    # A reversed refund can leave more paid than owed: that is the customer's credit.
    customer_credit.move_excess(
        session,
        invoice,
        CreditKind.REVERSAL,
        f"Refund reversed on {invoice.reference}: {reason}",
        actor.id,
        on,
    )
    return reversal

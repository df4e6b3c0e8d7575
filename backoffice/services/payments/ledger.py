"""Payments and refunds against issued invoices."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    CreditKind,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentMethod,
    PaymentSource,
    SyncRecordType,
    User,
)

from ..errors import DomainError
from ..invoicing.status import UNPAID_OPEN
from ..locking import lock_invoice
from ..money import format_money
from ..permissions import Action, require
from ..scoping import require_company
from ..sync import records as sync_records
from . import customer_credit
from .booking import book, checked_amount


def _existing(
    session: Session, key: str | None, invoice: Invoice, amount: Decimal
) -> Payment | None:
    if not key:
        return None
    payment = session.scalars(select(Payment).where(Payment.idempotency_key == key)).one_or_none()
    if payment is not None and (payment.invoice_id != invoice.id or payment.amount != amount):
        raise DomainError("That idempotency key was already used for a different payment.")
    return payment


def _lock_payable(session: Session, actor: User, invoice: Invoice, method: str) -> None:
    require(actor, Action.RECORD_PAYMENT)
    require_company(actor, invoice.company_id)
    # Lock the invoice so two clerks cannot both pay the last open balance.
    lock_invoice(session, invoice)
    if invoice.kind != InvoiceKind.INVOICE:
        raise DomainError("Payments are recorded against invoices, not credit notes.")
    if method == PaymentMethod.CUSTOMER_CREDIT:
        raise DomainError("Customer credit is used with Apply credit, not recorded as money.")


def record_payment(
    session: Session,
    actor: User,
    invoice: Invoice,
    amount: str | Decimal,
    payment_date: date,
    *,
    method: str = PaymentMethod.BANK_TRANSFER.value,
    reference: str = "",
    source: str = PaymentSource.MANUAL.value,
    idempotency_key: str | None = None,
    excess_to_credit: bool = False,
) -> Payment:
    """Record money received; beyond the open balance only as customer credit."""
    _lock_payable(session, actor, invoice, method)
    value = checked_amount(amount, invoice.currency)
    if (existing := _existing(session, idempotency_key, invoice, value)) is not None:
        return existing
    if invoice.status not in UNPAID_OPEN:
        raise DomainError(f"{invoice} is {invoice.status}: it takes no payments.")
    if value > invoice.balance_amount and not excess_to_credit:
        raise DomainError(
            f"The payment ({format_money(value, invoice.currency)}) is larger than the open "
            f"balance ({format_money(invoice.balance_amount, invoice.currency)}): keep the "
            f"excess ({format_money(value - invoice.balance_amount, invoice.currency)}) as "
            "customer credit, or correct the amount.",
            "amount",
        )
    payment = Payment(
        payment_date=payment_date,
        amount=value,
        method=method,
        reference=reference,
        source=source,
        idempotency_key=idempotency_key,
        created_by_id=actor.id,
    )
    book(session, invoice, payment, "payment.record")
    sync_records.request_push(session, invoice.company_id, SyncRecordType.PAYMENT, payment.id)
    customer_credit.move_excess(
        session,
        invoice,
        CreditKind.OVERPAYMENT,
        f"Paid beyond the open balance of {invoice.reference}: kept as customer credit",
        actor.id,
        payment_date,
    )
    return payment


def record_refund(
    session: Session,
    actor: User,
    invoice: Invoice,
    amount: str | Decimal,
    payment_date: date,
    *,
    method: str = PaymentMethod.BANK_TRANSFER.value,
    reference: str = "",
    idempotency_key: str | None = None,
) -> Payment:
    """Record money paid back to the customer, as a negative payment; never more than was paid."""
    _lock_payable(session, actor, invoice, method)
    value = checked_amount(amount, invoice.currency)
    if (existing := _existing(session, idempotency_key, invoice, -value)) is not None:
        return existing
    if value > invoice.paid_amount:
        raise DomainError(
            f"The refund ({format_money(value, invoice.currency)}) is larger than what was "
            f"paid ({format_money(invoice.paid_amount, invoice.currency)}).",
            "amount",
        )
    payment = Payment(
        payment_date=payment_date,
        amount=-value,
        method=method,
        reference=reference,
        source=PaymentSource.MANUAL.value,
        idempotency_key=idempotency_key,
        created_by_id=actor.id,
    )
    return book(session, invoice, payment, "payment.refund")

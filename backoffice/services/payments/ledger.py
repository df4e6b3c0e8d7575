"""Payments and refunds against issued invoices."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Invoice,
    InvoiceKind,
    Payment,
    PaymentMethod,
    PaymentSource,
    SyncRecordType,
    User,
)

from .. import audit
from ..errors import DomainError
from ..invoicing.status import UNPAID_OPEN, derive_status
from ..locking import lock_invoice
from ..money import check_fits, format_money, minor_unit, parse_decimal, round_money
from ..permissions import Action, require
from ..scoping import require_company
from ..sync import records as sync_records


def _existing(
    session: Session, key: str | None, invoice: Invoice, amount: Decimal
) -> Payment | None:
    if not key:
        return None
    payment = session.scalars(select(Payment).where(Payment.idempotency_key == key)).one_or_none()
    if payment is not None and (payment.invoice_id != invoice.id or payment.amount != amount):
        raise DomainError("That idempotency key was already used for a different payment.")
    return payment


def _checked_amount(text: str | Decimal, invoice: Invoice) -> Decimal:
    amount = parse_decimal(text, "amount", "Amount")
    if amount <= 0:
        raise DomainError("The amount must be greater than zero.", "amount")
    check_fits(amount, Payment.__table__.c.amount.type, "amount", "Amount")
    if round_money(amount, invoice.currency) != amount:
        raise DomainError(
            f"{invoice.currency} amounts have at most "
            f"{-minor_unit(invoice.currency).as_tuple().exponent} decimals.",
            "amount",
        )
    return amount


def _book(session: Session, invoice: Invoice, payment: Payment, action: str) -> Payment:
    """Add a checked payment or refund to the invoice and move its status."""
    if payment.method not in PaymentMethod.__members__.values():
        raise DomainError(f"Unknown payment method {payment.method!r}.", "method")
    payment.invoice = invoice
    payment.reference = payment.reference.strip()
    payment.idempotency_key = payment.idempotency_key or None
    session.add(payment)
    invoice.paid_amount += payment.amount
    invoice.status = derive_status(invoice).value
    session.flush()
    audit.record(
        session, action, entity=invoice, detail=format_money(payment.amount, invoice.currency)
    )
    return payment


def _lock_payable(session: Session, actor: User, invoice: Invoice) -> None:
    require(actor, Action.RECORD_PAYMENT)
    require_company(actor, invoice.company_id)
    # Lock the invoice so two clerks cannot both pay the last open balance.
    lock_invoice(session, invoice)
    if invoice.kind != InvoiceKind.INVOICE:
        raise DomainError("Payments are recorded against invoices, not credit notes.")


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
) -> Payment:
    """Record money received; never more than the open balance."""
    _lock_payable(session, actor, invoice)
    value = _checked_amount(amount, invoice)
    if (existing := _existing(session, idempotency_key, invoice, value)) is not None:
        return existing
    if invoice.status not in UNPAID_OPEN:
        raise DomainError(f"{invoice} is {invoice.status}: it takes no payments.")
    if value > invoice.balance_amount:
        raise DomainError(
            f"The payment ({format_money(value, invoice.currency)}) is larger than the open "
            f"balance ({format_money(invoice.balance_amount, invoice.currency)}).",
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
    _book(session, invoice, payment, "payment.record")
    sync_records.request_push(session, invoice.company_id, SyncRecordType.PAYMENT, payment.id)
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
    _lock_payable(session, actor, invoice)
    value = _checked_amount(amount, invoice)
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
    return _book(session, invoice, payment, "payment.refund")

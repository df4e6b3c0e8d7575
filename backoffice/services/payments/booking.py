"""Booking a payment row on an invoice: the one place its paid amount and status move."""

from decimal import Decimal

from sqlalchemy.orm import Session

from models import Invoice, Payment, PaymentMethod

from .. import audit
from ..errors import DomainError
from ..invoicing.status import derive_status
from ..money import check_fits, format_money, minor_unit, parse_decimal, round_money


def checked_amount(text: str | Decimal, currency: str) -> Decimal:
    """Parse a positive amount with no more decimals than the currency has."""
    amount = parse_decimal(text, "amount", "Amount")
    if amount <= 0:
        raise DomainError("The amount must be greater than zero.", "amount")
    check_fits(amount, Payment.__table__.c.amount.type, "amount", "Amount")
    if round_money(amount, currency) != amount:
        raise DomainError(
            f"{currency} amounts have at most "
            f"{-minor_unit(currency).as_tuple().exponent} decimals.",
            "amount",
        )
    return amount


def book(session: Session, invoice: Invoice, payment: Payment, action: str) -> Payment:
    """Add a checked payment, refund or transfer to the invoice and move its status."""
    if payment.method not in PaymentMethod.__members__.values():
        raise DomainError(f"Unknown payment method {payment.method!r}.", "method")
    payment.invoice = invoice
    payment.company_id = invoice.company_id
    payment.reference = (payment.reference or "").strip()
    payment.idempotency_key = payment.idempotency_key or None
    session.add(payment)
    invoice.paid_amount += payment.amount
    invoice.status = derive_status(invoice).value
    session.flush()
    audit.record(
        session, action, entity=invoice, detail=format_money(payment.amount, invoice.currency)
    )
    return payment

"""Stripe webhook events: each event id acted on once, payments and refunds booked by ledger.

The event's row is inserted in the transaction that books its payment: a redelivery finds it
and does nothing, and a concurrent one waits on the unique index until the first commits.
"""

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from models import (
    Invoice,
    Payment,
    PaymentMethod,
    PaymentSource,
    Role,
    StripeEvent,
    StripeEventOutcome,
    User,
)

from ... import audit
from ...errors import DomainError
from ...locking import lock_invoice
from ...money import format_money, is_currency
from .. import ledger
from .units import from_stripe_units

log = logging.getLogger(__name__)

# The largest id PostgreSQL's integer holds: anything above cannot be one of our invoices.
MAX_ID = 2**31 - 1

# What was done, in words for finance, and the invoice concerned (if known).
Outcome = tuple[StripeEventOutcome, str, Invoice | None]


class NeedsAttention(Exception):
    """An event for one of our invoices that cannot be booked automatically."""

    def __init__(self, message: str, invoice: Invoice | None = None) -> None:
        super().__init__(message)
        self.message, self.invoice = message, invoice


def handle_event(session: Session, event: Mapping[str, Any]) -> StripeEvent | None:
    """Act on a verified event once; None when this event id was handled before."""
    record = _claim(session, event)
    if record is None:
        return None
    handler = HANDLERS.get(record.event_type)
    if handler is None:
        outcome: Outcome = (StripeEventOutcome.IGNORED, "Not an event we act on.", None)
    else:
        try:
            # A refused booking leaves nothing behind but the event's own row.
            with session.begin_nested():
                outcome = handler(session, event)
        except (NeedsAttention, DomainError) as problem:
            invoice = problem.invoice if isinstance(problem, NeedsAttention) else None
            outcome = (StripeEventOutcome.NEEDS_ATTENTION, problem.message, invoice)
    status, record.detail, invoice = outcome
    record.outcome = status.value
    if invoice is not None:
        record.invoice_id, record.company_id = invoice.id, invoice.company_id
    session.flush()
    if record.outcome == StripeEventOutcome.NEEDS_ATTENTION:
        log.warning("Stripe event %s needs attention: %s", record.event_id, record.detail)
        audit.record(session, "stripe.needs_attention", entity=record, detail=record.detail)
    return record


def _claim(session: Session, event: Mapping[str, Any]) -> StripeEvent | None:
    event_id = session.execute(
        insert(StripeEvent)
        .values(
            event_id=str(event["id"]),
            event_type=str(event["type"])[:100],
            outcome=StripeEventOutcome.IGNORED.value,
            detail="",
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(StripeEvent.id)
    ).scalar_one_or_none()
    return None if event_id is None else session.get(StripeEvent, event_id)


def _gateway() -> User:
    """Who books a signed event: not a person, so nobody's role or companies limit it.

    Never added to the session; the audit trail names the webhook as the actor.
    """
    return User(email="stripe", role=Role.ADMIN.value, is_active=True)


def _paid_on(event: Mapping[str, Any]) -> date:
    return datetime.fromtimestamp(int(event["created"]), UTC).date()


def _our_invoice(session: Session, metadata: Mapping[str, Any]) -> Invoice:
    text = str(metadata.get("invoice_id", ""))
    invoice = session.get(Invoice, int(text)) if text.isdigit() and int(text) <= MAX_ID else None
    if invoice is None:
        raise NeedsAttention(f"The payment names invoice id {text!r}, which is not known here.")
    if str(metadata.get("company_id", "")) != str(invoice.company_id):
        raise NeedsAttention(
            f"The payment names {invoice} with company id {metadata.get('company_id')!r}, "
            f"but {invoice} belongs to {invoice.company}.",
            invoice,
        )
    return invoice


def _check_currency(invoice: Invoice, units: int, currency: str) -> None:
    code = str(currency or "").upper()
    if code != invoice.currency:
        amount = (
            f"{code} {from_stripe_units(units, code)}"
            if is_currency(code)
            else f"{units} minor units of {code or 'no currency'}"
        )
        raise NeedsAttention(
            f"{amount} paid by card for {invoice}, which is in {invoice.currency}: "
            "book it by hand.",
            invoice,
        )


def _book_payment(session: Session, event: Mapping[str, Any], paid: Mapping[str, Any]) -> Outcome:
    invoice = _our_invoice(session, paid["metadata"])
    _check_currency(invoice, paid["units"], paid["currency"])
    # The page's completion and its payment intent's success both report one payment:
    # whichever arrives second finds it, under the invoice's lock.
    lock_invoice(session, invoice)
    key = f"stripe:{paid['intent']}"
    if session.scalar(select(Payment.id).where(Payment.idempotency_key == key)) is not None:
        return (
            StripeEventOutcome.ALREADY_BOOKED,
            f"Payment {paid['intent']} is booked already.",
            invoice,
        )
    try:
        payment = ledger.record_payment(
            session,
            _gateway(),
            invoice,
            from_stripe_units(paid["units"], invoice.currency),
            _paid_on(event),
            method=PaymentMethod.CARD.value,
            reference=paid["intent"],
            source=PaymentSource.GATEWAY.value,
            idempotency_key=key,
        )
    except DomainError as refused:  # more than is open, a void invoice, a credit note
        raise NeedsAttention(refused.message, invoice) from refused
    return (
        StripeEventOutcome.BOOKED,
        f"{format_money(payment.amount, invoice.currency)} paid by card for {invoice}.",
        invoice,
    )


def _checkout_completed(session: Session, event: Mapping) -> Outcome:
    page = event["data"]["object"]
    if "invoice_id" not in (page.get("metadata") or {}):
        return StripeEventOutcome.IGNORED, "Not a checkout of this back office.", None
    if page.get("payment_status") != "paid":
        return (
            StripeEventOutcome.IGNORED,
            "Not paid yet: the payment intent's success books it.",
            None,
        )
    paid = {
        "metadata": page["metadata"],
        "units": int(page["amount_total"]),
        "currency": page["currency"],
        # A page that collected money has its payment intent; the page id is the fallback key.
        "intent": page.get("payment_intent") or page["id"],
    }
    return _book_payment(session, event, paid)


def _intent_succeeded(session: Session, event: Mapping) -> Outcome:
    intent = event["data"]["object"]
    if "invoice_id" not in (intent.get("metadata") or {}):
        return StripeEventOutcome.IGNORED, "Not a payment of this back office.", None
    paid = {
        "metadata": intent["metadata"],
        "units": int(intent["amount_received"]),
        "currency": intent["currency"],
        "intent": intent["id"],
    }
    return _book_payment(session, event, paid)


def _charge_refunded(session: Session, event: Mapping) -> Outcome:
    charge = event["data"]["object"]
    intent = charge.get("payment_intent") or charge["id"]
    original = session.scalars(
        select(Payment).where(Payment.idempotency_key == f"stripe:{intent}")
    ).one_or_none()
    if original is None:
        if "invoice_id" not in (charge.get("metadata") or {}):
            return (
                StripeEventOutcome.IGNORED,
                "A refund of a payment this back office never saw.",
                None,
            )
        invoice = _our_invoice(session, charge["metadata"])
        raise NeedsAttention(
            f"Refund of card payment {intent}, which was never booked here.", invoice
        )
    invoice = original.invoice
    _check_currency(invoice, int(charge["amount_refunded"]), charge["currency"])
    lock_invoice(session, invoice)
    # Stripe reports the total refunded so far; what is new is the part not yet booked.
    refunded = from_stripe_units(int(charge["amount_refunded"]), invoice.currency)
    booked = -session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.idempotency_key.startswith(f"stripe-refund:{intent}:", autoescape=True)
        )
    )
    if refunded <= booked:
        return (
            StripeEventOutcome.ALREADY_BOOKED,
            f"Refunds of {intent} are booked already.",
            invoice,
        )
    try:
        refund = ledger.record_refund(
            session,
            _gateway(),
            invoice,
            refunded - booked,
            _paid_on(event),
            method=PaymentMethod.CARD.value,
            reference=str(charge["id"]),
            idempotency_key=f"stripe-refund:{intent}:{charge['amount_refunded']}",
        )
    except DomainError as refused:
        raise NeedsAttention(refused.message, invoice) from refused
    # ledger.record_refund books refunds as manual; this one came from the gateway.
    refund.source = PaymentSource.GATEWAY.value
    session.flush()
    return (
        StripeEventOutcome.BOOKED,
        f"{format_money(-refund.amount, invoice.currency)} refunded by card for {invoice}.",
        invoice,
    )


HANDLERS: dict[str, Callable[[Session, Mapping], Outcome]] = {
    "checkout.session.completed": _checkout_completed,
    "payment_intent.succeeded": _intent_succeeded,
    "charge.refunded": _charge_refunded,
}

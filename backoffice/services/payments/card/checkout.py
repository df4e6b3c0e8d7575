"""The "Pay by card" link of an open invoice: a Stripe Checkout page for its open balance."""

from datetime import UTC, datetime, timedelta

import stripe
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import CheckoutSession, Invoice, InvoiceKind, User, utcnow

from ... import audit
from ...errors import DomainError
from ...invoicing.status import UNPAID_OPEN
from ...locking import lock_invoice
from ...money import format_money
from ...scoping import require_company
from .gateway import StripeSettings, client
from .units import to_stripe_units

# A page that expires within this margin is not mailed again: the customer needs time to pay.
REUSE_MARGIN = timedelta(hours=1)


def pay_link(
    session: Session, actor: User, invoice: Invoice, settings: StripeSettings
) -> str | None:
    """The Checkout page of the invoice's open balance, reused while that balance is unchanged.

    None when the company takes no cards or nothing is left to pay.
    """
    require_company(actor, invoice.company_id)
    if not invoice.company.is_card_payment_enabled:
        return None
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in UNPAID_OPEN:
        return None
    # Two people sending at once must not create two pages for one balance.
    lock_invoice(session, invoice)
    if invoice.balance_amount <= 0:
        return None
    reusable = current_page(session, invoice)
    if reusable is not None:
        return reusable.url
    return _create(session, invoice, settings).url


def current_page(session: Session, invoice: Invoice) -> CheckoutSession | None:
    """The stored page for the invoice's open balance that is not about to expire, if any."""
    return session.scalars(
        select(CheckoutSession)
        .where(
            CheckoutSession.invoice_id == invoice.id,
            CheckoutSession.amount == invoice.balance_amount,
            CheckoutSession.currency == invoice.currency,
            CheckoutSession.expires_at > utcnow() + REUSE_MARGIN,
        )
        .order_by(CheckoutSession.created_at.desc())
        .limit(1)
    ).first()


def _create(session: Session, invoice: Invoice, settings: StripeSettings) -> CheckoutSession:
    if not settings.is_complete:
        raise DomainError(
            f"{invoice.company} takes card payments, but STRIPE_SECRET_KEY or "
            "STRIPE_SUCCESS_URL is not set: ask an admin to set them, or turn card payments off."
        )
    earlier = session.scalar(
        select(func.count())
        .select_from(CheckoutSession)
        .where(CheckoutSession.invoice_id == invoice.id)
    )
    ours = {"invoice_id": str(invoice.id), "company_id": str(invoice.company_id)}
    params = {
        "mode": "payment",
        "client_reference_id": str(invoice.id),
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": invoice.currency.lower(),
                    "unit_amount": to_stripe_units(invoice.balance_amount, invoice.currency),
                    "product_data": {"name": f"{invoice.company} {invoice.reference}"},
                },
            }
        ],
        "metadata": ours,
        # The payment intent (and its events) carries our ids too, not only the page.
        "payment_intent_data": {"metadata": ours},
        "success_url": settings.success_url,
        "cancel_url": settings.cancel_url,
    }
    try:
        created = client(settings).v1.checkout.sessions.create(
            params,
            # A page created for a transaction that then rolled back is found again, not doubled.
            {"idempotency_key": f"checkout-{invoice.id}-{earlier + 1}"},
        )
    except stripe.StripeError as error:
        raise DomainError(
            f"Stripe did not create the card payment page for {invoice}: "
            f"{error.user_message or error}. Nothing was sent; try again."
        ) from error
    page = CheckoutSession(
        invoice_id=invoice.id,
        stripe_session_id=created.id,
        url=created.url,
        amount=invoice.balance_amount,
        currency=invoice.currency,
        expires_at=datetime.fromtimestamp(created.expires_at, UTC),
    )
    session.add(page)
    session.flush()
    audit.record(
        session,
        "payment.card_link",
        entity=invoice,
        detail=f"Card payment page for {format_money(page.amount, page.currency)}",
    )
    return page

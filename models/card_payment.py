"""Card payments through Stripe: the checkout pages we created and the events Stripe sent."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .enums import StripeEventOutcome, check_in
from .invoice import Invoice


class CheckoutSession(Base):
    """A Stripe Checkout page for an invoice's open balance, reused until it expires."""

    __tablename__ = "checkout_sessions"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # The reuse lookup: the newest page of an invoice.
        Index("ix_checkout_sessions_invoice", "invoice_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    stripe_session_id: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StripeEvent(Base):
    """One webhook event, stored in the transaction that acted on it: an id is handled once."""

    __tablename__ = "stripe_events"
    __table_args__ = (
        CheckConstraint(check_in("outcome", StripeEventOutcome), name="outcome"),
        # The card events screen, newest first: everything (admins), or a company's.
        Index("ix_stripe_events_received_at", "received_at", "id"),
        Index("ix_stripe_events_company", "company_id", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    invoice: Mapped[Invoice | None] = relationship()

    def __str__(self) -> str:
        return f"Stripe event {self.event_id} ({self.event_type})"

"""Payments received against an invoice; a negative amount is a refund."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, trigram_index, utcnow
from .enums import PaymentMethod, PaymentSource, check_in
from .invoice import Invoice
from .user import User


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        CheckConstraint(check_in("method", PaymentMethod), name="method"),
        CheckConstraint(check_in("source", PaymentSource), name="source"),
        CheckConstraint("reverses_id IS NULL OR reason <> ''", name="reversal_has_reason"),
        # The payments list, newest first (read backwards), and its filters by method and
        # source in the same order: per company for staff, across companies for admins.
        Index("ix_payments_payment_date", "payment_date", "id"),
        Index("ix_payments_company_date", "company_id", "payment_date", "id"),
        Index("ix_payments_company_method_date", "company_id", "method", "payment_date", "id"),
        Index("ix_payments_company_source_date", "company_id", "source", "payment_date", "id"),
        Index("ix_payments_method_date", "method", "payment_date", "id"),
        Index("ix_payments_source_date", "source", "payment_date", "id"),
        # Bank references are searched by fragment (global search, the payments list).
        trigram_index("payments", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT"), index=True
    )
    # The invoice's company, copied so the list filters and pages within one company on an
    # index instead of joining every payment to its invoice.
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    payment_date: Mapped[date]
    amount: Mapped[Decimal]
    method: Mapped[str] = mapped_column(String(20), default=PaymentMethod.BANK_TRANSFER.value)
    reference: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(20), default=PaymentSource.MANUAL.value)
    # A retried import or webhook carries the same key and is recorded once.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    # A reversal is a payment of the opposite amount pointing at the one it undoes; unique,
    # so a payment is reversed at most once whatever runs at the same time.
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), unique=True
    )
    # Why it was reversed, or what moved it to or from the customer's credit.
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="payments")
    created_by: Mapped[User | None] = relationship()
    reverses: Mapped["Payment | None"] = relationship(
        remote_side=[id], back_populates="reversed_by"
    )
    reversed_by: Mapped["Payment | None"] = relationship(back_populates="reverses")

    def __str__(self) -> str:
        return f"{self.amount} on {self.payment_date}"

"""Customer credit: money a customer has with us beyond what they owe, as a ledger of entries."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .company import Company
from .customer import Customer
from .enums import CreditKind, check_in
from .payment import Payment
from .user import User


class CustomerCreditEntry(Base):
    """One movement of a customer's credit in one currency; the balance is their sum.

    Entries are never changed or deleted: a mistake is corrected by a reversing entry, so the
    balance can always be explained line by line.
    """

    __tablename__ = "customer_credit_entries"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        CheckConstraint("char_length(currency) = 3", name="currency_iso"),
        CheckConstraint(check_in("kind", CreditKind), name="kind"),
        # Money moved to or from an invoice travels with a customer-credit payment there.
        CheckConstraint("(kind = 'refunded') = (payment_id IS NULL)", name="payment_iff_moved"),
        # A customer's balance per currency, summed from the index alone.
        Index(
            "ix_customer_credit_entries_customer",
            "customer_id",
            "currency",
            postgresql_include=["amount"],
        ),
        # The ledger list, newest first, per company and for admins.
        Index("ix_customer_credit_entries_company_date", "company_id", "entry_date", "id"),
        Index("ix_customer_credit_entries_date", "entry_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    # Positive: credit gained; negative: credit used or paid back.
    amount: Mapped[Decimal]
    kind: Mapped[str] = mapped_column(String(20))
    entry_date: Mapped[date]
    # The customer-credit payment on the invoice the money moved from or to.
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), unique=True
    )
    description: Mapped[str] = mapped_column(String(300), default="")
    # How a refund was paid out: its method and bank reference.
    method: Mapped[str] = mapped_column(String(20), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship()
    customer: Mapped[Customer] = relationship()
    payment: Mapped[Payment | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.kind.replace('_', ' ')} {self.amount} {self.currency}"

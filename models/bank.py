"""Bank statements: the company's bank accounts, each imported line and what finance decided."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .company import Company
from .enums import BankLineState, MatchConfidence, check_in
from .invoice import Invoice
from .payment import Payment
from .user import User


class BankAccount(Base):
    """A company's account at a bank, and how its CSV exports are laid out."""

    __tablename__ = "bank_accounts"
    __table_args__ = (
        UniqueConstraint("company_id", "iban"),
        CheckConstraint("char_length(currency) = 3", name="currency_iso"),
        CheckConstraint("csv_header_rows BETWEEN 0 AND 50", name="csv_header_rows_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(100))
    # Stored compact (no spaces, upper case), checked with python-stdnum.
    iban: Mapped[str] = mapped_column(String(34))
    currency: Mapped[str] = mapped_column(String(3))
    # The CSV column mapping: a column is named by its header text or its 1-based position.
    csv_delimiter: Mapped[str] = mapped_column(String(5), default=";")
    csv_header_rows: Mapped[int] = mapped_column(default=1)
    csv_date_column: Mapped[str] = mapped_column(String(100), default="")
    csv_date_format: Mapped[str] = mapped_column(String(30), default="%d.%m.%Y")
    csv_amount_column: Mapped[str] = mapped_column(String(100), default="")
    csv_debit_column: Mapped[str] = mapped_column(String(100), default="")
    csv_credit_column: Mapped[str] = mapped_column(String(100), default="")
    csv_currency_column: Mapped[str] = mapped_column(String(100), default="")
    csv_reference_column: Mapped[str] = mapped_column(String(100), default="")
    csv_text_column: Mapped[str] = mapped_column(String(100), default="")
    csv_counterparty_column: Mapped[str] = mapped_column(String(100), default="")
    csv_counterparty_iban_column: Mapped[str] = mapped_column(String(100), default="")
    csv_decimal_comma: Mapped[bool] = mapped_column(default=True)
    csv_thousands_separator: Mapped[str] = mapped_column(String(1), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship()

    def __str__(self) -> str:
        return f"{self.name} ({self.iban})"


class BankTransaction(Base):
    """One line of an imported statement; unique per account and bank reference."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        UniqueConstraint("bank_account_id", "bank_reference"),
        CheckConstraint(check_in("state", BankLineState), name="state"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("char_length(currency) = 3", name="currency_iso"),
        CheckConstraint("state <> 'ignored' OR ignore_reason <> ''", name="ignored_has_reason"),
        # The reconciliation screen: a company's lines by state, newest first.
        Index("ix_bank_transactions_company_state_date", "company_id", "state", "booking_date"),
        Index("ix_bank_transactions_state_date", "state", "booking_date"),
        # Payers seen before: an IBAN names the customer who paid from it.
        Index("ix_bank_transactions_counterparty_iban", "company_id", "counterparty_iban"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(
        ForeignKey("bank_accounts.id", ondelete="RESTRICT")
    )
    # The account's company, copied so the screen scopes and pages on one index.
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    bank_reference: Mapped[str] = mapped_column(String(120))
    booking_date: Mapped[date]
    value_date: Mapped[date | None]
    # Always positive; is_credit says which way it went (money in: True).
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    is_credit: Mapped[bool]
    remittance_text: Mapped[str] = mapped_column(Text, default="")
    structured_reference: Mapped[str] = mapped_column(String(140), default="")
    counterparty_name: Mapped[str] = mapped_column(String(200), default="")
    counterparty_iban: Mapped[str] = mapped_column(String(34), default="")
    state: Mapped[str] = mapped_column(String(20), default=BankLineState.UNMATCHED.value)
    ignore_reason: Mapped[str] = mapped_column(String(500), default="")
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    bank_account: Mapped[BankAccount] = relationship()
    proposals: Mapped[list["MatchProposal"]] = relationship(
        back_populates="transaction", cascade="all, delete-orphan", order_by="MatchProposal.id"
    )
    payments: Mapped[list[Payment]] = relationship(
        secondary="bank_transaction_payments", order_by="Payment.id", viewonly=True
    )
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __str__(self) -> str:
        sign = "" if self.is_credit else "-"
        return f"Bank line {self.booking_date} {sign}{self.amount} {self.currency}"


class MatchProposal(Base):
    """A suggested booking of a bank line onto one or more invoices, with why."""

    __tablename__ = "bank_match_proposals"
    __table_args__ = (
        CheckConstraint(check_in("confidence", MatchConfidence), name="confidence"),
        Index("ix_bank_match_proposals_transaction", "transaction_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("bank_transactions.id", ondelete="CASCADE")
    )
    confidence: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))

    transaction: Mapped[BankTransaction] = relationship(back_populates="proposals")
    allocations: Mapped[list["MatchAllocation"]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="MatchAllocation.id"
    )


class MatchAllocation(Base):
    """How much of a proposal's line goes to one invoice."""

    __tablename__ = "bank_match_allocations"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_bank_match_allocations_proposal", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("bank_match_proposals.id", ondelete="CASCADE")
    )
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal]

    proposal: Mapped[MatchProposal] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship()


class BankTransactionPayment(Base):
    """A payment booked from a bank line; a payment comes from at most one line."""

    __tablename__ = "bank_transaction_payments"
    __table_args__ = (Index("ix_bank_transaction_payments_transaction", "transaction_id"),)

    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), primary_key=True
    )
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("bank_transactions.id", ondelete="RESTRICT")
    )

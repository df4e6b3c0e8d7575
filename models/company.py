"""Companies that issue invoices, and their numbering series."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .enums import InvoiceKind, check_in


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint("char_length(base_currency) = 3", name="base_currency_iso"),
        CheckConstraint("default_payment_terms_days BETWEEN 0 AND 365", name="terms_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2))
    tax_id: Mapped[str | None] = mapped_column(String(40))
    # EN 16931 BT-30, e.g. "HRB 12345 B" or a SIREN: names the seller where no VAT id may
    # (documents not subject to VAT).
    registration_id: Mapped[str | None] = mapped_column(String(40))
    base_currency: Mapped[str] = mapped_column(String(3))
    email: Mapped[str | None] = mapped_column(String(254))
    logo_path: Mapped[str | None] = mapped_column(String(300))
    bank_name: Mapped[str | None] = mapped_column(String(200))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    default_payment_terms_days: Mapped[int] = mapped_column(default=30)
    # Credit notes above this amount (base currency) need a manager's approval.
    credit_note_approval_threshold: Mapped[Decimal] = mapped_column(default=Decimal("1000"))
    # Admins and finance staff of this company must sign in with a second factor (TOTP).
    require_two_factor: Mapped[bool] = mapped_column(default=False)
    # Invoice emails carry a "Pay by card" link to a Stripe Checkout page.
    is_card_payment_enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    series: Mapped[list["NumberingSeries"]] = relationship(back_populates="company")

    def __str__(self) -> str:
        return self.name


class NumberingSeries(Base):
    """One gapless counter per company and series; see backoffice.services.numbering."""

    __tablename__ = "numbering_series"
    __table_args__ = (
        UniqueConstraint("company_id", "code"),
        CheckConstraint(check_in("kind", InvoiceKind), name="kind"),
        CheckConstraint("last_number >= 0", name="last_number_positive"),
        CheckConstraint("padding BETWEEN 1 AND 12", name="padding_range"),
        CheckConstraint(r"prefix ~ '^[A-Z0-9][A-Z0-9/_.-]{0,19}$'", name="prefix_format"),
        # At most one default series per company and kind: issuing picks it.
        Index(
            "uq_numbering_series_default",
            "company_id",
            "kind",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    # The display number is prefix + issue year + zero-padded counter: INV-2026-000123.
    prefix: Mapped[str] = mapped_column(String(20))
    padding: Mapped[int] = mapped_column(default=6)
    last_number: Mapped[int] = mapped_column(default=0)
    # The issue date of the last number taken: numbers follow issue dates, and reading it
    # from this row, locked anyway to count on, spares a search through the series' invoices.
    last_issue_date: Mapped[date | None]
    is_default: Mapped[bool] = mapped_column(default=True)

    company: Mapped[Company] = relationship(back_populates="series")

    def __str__(self) -> str:
        return f"{self.code} ({self.prefix})"

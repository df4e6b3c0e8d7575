"""Customers an invoice is addressed to."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, trigram_index, utcnow
from .company import Company
from .enums import EInvoiceFormat, check_in


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("char_length(currency) = 3", name="currency_iso"),
        CheckConstraint("char_length(country) = 2", name="country_iso"),
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="terms_range"),
        CheckConstraint("language IN ('en', 'de', 'fr')", name="language"),
        CheckConstraint(check_in("einvoice_format", EInvoiceFormat), name="einvoice_format"),
        Index("ix_customers_company_name", "company_id", "name"),
        # Name fragments, VAT ids and email addresses are searched anywhere in the text
        # (global search, the customer list): only trigram indexes serve ILIKE '%...%'.
        *(trigram_index("customers", column) for column in ("name", "vat_id", "email")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))
    # Comma-separated addresses that receive invoices.
    email: Mapped[str] = mapped_column(String(500), default="")
    vat_id: Mapped[str | None] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    language: Mapped[str] = mapped_column(String(2), default="en")
    # The e-invoice their invoice emails carry; none: the PDF alone.
    einvoice_format: Mapped[str] = mapped_column(String(10), default=EInvoiceFormat.NONE.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()

    def __str__(self) -> str:
        return self.name

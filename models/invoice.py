"""Invoices and credit notes, their lines and their per-rate tax breakdown."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, ExchangeRate, Price, Quantity, Rate, trigram_index, utcnow
from .company import Company, NumberingSeries
from .customer import Customer
from .enums import InvoiceKind, InvoiceStatus, TaxCategory, check_in
from .product import Product, TaxRate
from .user import User

ZERO = Decimal("0")


# Invoices that can still be overdue (backoffice/services/invoicing/status.py: UNPAID_OPEN).
OPEN_INVOICES = "kind = 'invoice' AND status IN ('issued', 'partially_paid', 'sent')"


class Invoice(Base):
    """An invoice or a credit note; frozen once issued (service layer and database trigger)."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("company_id", "series_id", "number"),
        CheckConstraint(check_in("kind", InvoiceKind), name="kind"),
        CheckConstraint(check_in("status", InvoiceStatus), name="status"),
        CheckConstraint("char_length(currency) = 3", name="currency_iso"),
        CheckConstraint("exchange_rate > 0", name="exchange_rate_positive"),
        CheckConstraint("due_date IS NULL OR due_date >= issue_date", name="due_after_issue"),
        CheckConstraint("(status = 'draft') = (number IS NULL)", name="number_iff_issued"),
        CheckConstraint(
            "(kind = 'credit_note') = (original_invoice_id IS NOT NULL)",
            name="credit_note_has_original",
        ),
        CheckConstraint("credited_amount >= 0", name="credited_positive"),
        Index("ix_invoices_company_status_due", "company_id", "status", "due_date"),
        # The list's default order (newest issue date first, drafts on top) and its date
        # filters, read backwards; the sort by total; the home page's counts by status,
        # answered from the index alone.
        Index("ix_invoices_company_issue_date", "company_id", "issue_date", "id"),
        Index("ix_invoices_company_total", "company_id", "total_amount", "id"),
        Index("ix_invoices_company_kind_status", "company_id", "kind", "status"),
        # The same two orders for admins, who see every company (no company to lead with).
        Index("ix_invoices_issue_date", "issue_date", "id"),
        Index("ix_invoices_total", "total_amount", "id"),
        # Aging and the dashboard's open balances by customer and currency, answered from
        # the index alone (open invoices only).
        Index(
            "ix_invoices_open_due",
            "company_id",
            "due_date",
            postgresql_include=[
                "total_amount",
                "paid_amount",
                "credited_amount",
                "customer_id",
                "currency",
                "exchange_rate",
                "issue_date",
            ],
            postgresql_where=text(OPEN_INVOICES),
        ),
        # The suggested exchange rate: the company's latest invoice in a currency.
        Index(
            "ix_invoices_company_currency_issued",
            "company_id",
            "currency",
            "issued_at",
            postgresql_where=text("kind = 'invoice' AND issued_at IS NOT NULL"),
        ),
        # Revenue, tax, DSO and top customers: a company's documents by issue date with what
        # the reports add up, read from the index alone.
        Index(
            "ix_invoices_company_issued_figures",
            "company_id",
            "issue_date",
            postgresql_include=[
                "status",
                "kind",
                "customer_id",
                "exchange_rate",
                "net_amount",
                "total_amount",
            ],
        ),
        Index("ix_invoices_customer", "customer_id"),
        Index("ix_invoices_original", "original_invoice_id"),
        # The relay asks for recent issues without a stored PDF, every minute per worker.
        Index("ix_invoices_issued_at", "issued_at", postgresql_where=text("issued_at IS NOT NULL")),
        # The printed number is what people and tax offices quote: never twice per company.
        Index(
            "uq_invoices_company_reference",
            "company_id",
            "reference",
            unique=True,
            postgresql_where=text("reference IS NOT NULL"),
        ),
        # Numbers are found by prefix whatever the case typed. The column's C collation lets
        # this btree serve LIKE 'X%' and return hits in byte order, exact number first.
        Index(
            "ix_invoices_reference_search",
            text("upper(reference::text)"),
            postgresql_where=text("reference IS NOT NULL"),
        ),
        trigram_index("invoices", "po_reference"),
        CheckConstraint(
            "status = 'draft' OR exchange_rate IS NOT NULL", name="exchange_rate_fixed_at_issue"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20), default=InvoiceKind.INVOICE.value)
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.DRAFT.value)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("numbering_series.id"))
    number: Mapped[int | None]
    # A code, not words: compared byte by byte (collation "C"), so a btree serves prefixes.
    reference: Mapped[str | None] = mapped_column(String(40, collation="C"))
    issue_date: Mapped[date | None]
    due_date: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3))
    # Base-currency units per one invoice-currency unit, fixed at issue for reports.
    exchange_rate: Mapped[Decimal | None] = mapped_column(ExchangeRate)
    po_reference: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="")
    original_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    net_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    tax_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    total_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    paid_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    # Sum of issued credit notes against this invoice.
    credited_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    issued_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str] = mapped_column(Text, default="")
    # Seller's and buyer's details as printed, copied at issue: editing the company or the
    # customer later changes neither the stored nor a re-rendered document.
    seller_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    buyer_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # A credit note above the company's threshold: who approved it, when, and at which
    # version of the draft (a later change asks again; services/invoicing/approvals.py).
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    approved_version: Mapped[int | None]

    company: Mapped[Company] = relationship()
    customer: Mapped[Customer] = relationship()
    series: Mapped[NumberingSeries | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    original_invoice: Mapped["Invoice | None"] = relationship(
        remote_side=[id], back_populates="credit_notes"
    )
    credit_notes: Mapped[list["Invoice"]] = relationship(back_populates="original_invoice")
    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice",
        cascade="all, delete-orphan",
        order_by="InvoiceLine.position",
    )
    tax_totals: Mapped[list["InvoiceTaxTotal"]] = relationship(
        back_populates="invoice",
        cascade="all, delete-orphan",
        order_by="InvoiceTaxTotal.percentage",
    )
    payments: Mapped[list["Payment"]] = relationship(  # noqa: F821
        back_populates="invoice", order_by="Payment.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def balance_amount(self) -> Decimal:
        """What the customer still owes: total less payments and credit notes.

        Nothing is owed on a draft, a void invoice or a credit note.
        """
        if self.kind != InvoiceKind.INVOICE or self.status in (
            InvoiceStatus.DRAFT,
            InvoiceStatus.VOID,
        ):
            return ZERO
        return self.total_amount - self.paid_amount - self.credited_amount

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def kind_label(self) -> str:
        """What the document is called, before its reference."""
        return "Credit note" if self.kind == InvoiceKind.CREDIT_NOTE else "Invoice"

    def __str__(self) -> str:
        return f"{self.kind_label} {self.reference or f'draft #{self.id}'}"


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        # Deferred: renumbering lines after a deletion swaps positions within one flush.
        UniqueConstraint("invoice_id", "position", deferrable=True, initially="DEFERRED"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    position: Mapped[int]
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[str] = mapped_column(String(20), default="unit")
    unit_price: Mapped[Decimal] = mapped_column(Price)
    discount_percent: Mapped[Decimal] = mapped_column(Rate, default=ZERO)
    tax_rate_id: Mapped[int] = mapped_column(ForeignKey("tax_rates.id"))
    net_amount: Mapped[Decimal] = mapped_column(default=ZERO)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()
    tax_rate: Mapped[TaxRate] = relationship()

    def __str__(self) -> str:
        return self.description


class InvoiceTaxTotal(Base):
    """One row per tax rate on an invoice: how the tax and the total were reached."""

    __tablename__ = "invoice_tax_totals"
    __table_args__ = (
        UniqueConstraint("invoice_id", "tax_rate_id"),
        CheckConstraint(check_in("category", TaxCategory), name="category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    tax_rate_id: Mapped[int] = mapped_column(ForeignKey("tax_rates.id"))
    # Copied from the rate so a later change to the rate cannot rewrite history.
    percentage: Mapped[Decimal] = mapped_column(Rate)
    category: Mapped[str] = mapped_column(String(20))
    exemption_code: Mapped[str | None] = mapped_column(String(30))
    exemption_reason: Mapped[str] = mapped_column(String(300), default="")
    taxable_amount: Mapped[Decimal]
    tax_amount: Mapped[Decimal]

    invoice: Mapped[Invoice] = relationship(back_populates="tax_totals")
    tax_rate: Mapped[TaxRate] = relationship()

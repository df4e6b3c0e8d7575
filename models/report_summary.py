"""Report summaries: per company, the month's figures and the open balances, kept by triggers.

Migration 0025's triggers on invoices and payments add each change to these rows in the
same transaction (INSERT ... ON CONFLICT DO UPDATE with increments), so they cannot drift
from the documents whatever code path writes them; `report_summaries_rebuild()` recomputes
them from the documents. Amounts in the base currency are converted and rounded per
document, as the detailed report queries do, then summed. No foreign keys: the rows are
derived, and checking them would cost each trigger a lookup.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Rate
from .invoice import OPEN_INVOICES, Invoice

# A month's sum of amounts that each fit Money (18, 3).
Total = Numeric(24, 3)


class ReportMonthDocuments(Base):
    """Issued, not void, documents per month of issue, kind and currency."""

    __tablename__ = "report_month_documents"

    company_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    documents: Mapped[int]
    net_base: Mapped[Decimal] = mapped_column(Total)
    total_base: Mapped[Decimal] = mapped_column(Total)


class ReportMonthCustomers(Base):
    """Net revenue per month of issue and customer (credit notes subtracted)."""

    __tablename__ = "report_month_customers"

    company_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(primary_key=True)
    documents: Mapped[int]
    net_base: Mapped[Decimal] = mapped_column(Total)


class ReportMonthTaxes(Base):
    """The stored tax rows of issued documents per month, kind, rate and category."""

    __tablename__ = "report_month_taxes"

    company_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    percentage: Mapped[Decimal] = mapped_column(Rate, primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    documents: Mapped[int]
    taxable_base: Mapped[Decimal] = mapped_column(Total)
    tax_base: Mapped[Decimal] = mapped_column(Total)


class ReportMonthPayments(Base):
    """Payments and refunds per month of payment, method and invoice currency."""

    __tablename__ = "report_month_payments"

    company_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(20), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    payments: Mapped[int]
    received_base: Mapped[Decimal] = mapped_column(Total)
    refunded_base: Mapped[Decimal] = mapped_column(Total)


class ReportOpenCustomers(Base):
    """What each customer owes now, every currency in the base currency: open invoices."""

    __tablename__ = "report_open_customers"
    __table_args__ = (
        # The aging and top-debtor rankings, largest first, read from the index.
        Index("ix_report_open_customers_ranking", "company_id", "balance_base", "customer_id"),
    )

    company_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(primary_key=True)
    invoices: Mapped[int]
    balance_base: Mapped[Decimal] = mapped_column(Total)


class ReportOpenDue(Base):
    """Open balances per due date and currency: the age buckets of any day, summed from a
    few thousand rows (a due date does not move; only which bucket it falls in does)."""

    __tablename__ = "report_open_due"

    company_id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    due_date: Mapped[date] = mapped_column(primary_key=True)
    invoices: Mapped[int]
    balance: Mapped[Decimal] = mapped_column(Total)
    balance_base: Mapped[Decimal] = mapped_column(Total)


# The age buckets of a page of customers (aging ranks them from ReportOpenCustomers): their
# open invoices alone, read from the index (a customer may have thousands of settled ones).
Index(
    "ix_invoices_open_customer",
    Invoice.customer_id,
    Invoice.due_date,
    postgresql_include=[
        "company_id",
        "currency",
        "exchange_rate",
        "total_amount",
        "paid_amount",
        "credited_amount",
    ],
    postgresql_where=text(OPEN_INVOICES),
)

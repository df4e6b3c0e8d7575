"""The VAT return: taxable amount and tax per rate and category, credit notes subtracted."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import Invoice, InvoiceKind, InvoiceTaxTotal, ReportMonthTaxes, User

from ..money import format_plain
from .documents import (
    ISSUED_STATUSES,
    ZERO,
    Books,
    PeriodReport,
    bucket,
    counted,
    in_base,
    issued_in,
    open_books,
)
from .periods import Period, bucket_label, clipped
from .summaries import months_in, whole_months
from .tables import Cell, Drill, Table


@dataclass
class TaxRow:
    start: date
    label: str
    percentage: Decimal
    category: str
    taxable: Decimal = ZERO
    tax: Decimal = ZERO
    credited_taxable: Decimal = ZERO
    credited_tax: Decimal = ZERO

    @property
    def net_taxable(self) -> Decimal:
        return self.taxable - self.credited_taxable

    @property
    def net_tax(self) -> Decimal:
        return self.tax - self.credited_tax


class TaxReport(PeriodReport[TaxRow]):
    """Taxable amounts and tax per rate per month or quarter."""


def tax_report(
    session: Session, user: User, company_id: int, period: Period, grain: str = "quarter"
) -> TaxReport:
    """Per month or quarter of issue and per rate as issued: the stored tax rows, converted."""
    books = open_books(session, user, company_id)
    query = _summed(books, period, grain) if whole_months(period) else _added(books, period, grain)
    rows: dict[tuple, TaxRow] = {}
    for start, percentage, category, kind, taxable, tax in session.execute(query):
        key = (start, percentage, category)
        row = rows.setdefault(key, TaxRow(start, bucket_label(start, grain), percentage, category))
        if kind == InvoiceKind.CREDIT_NOTE:
            row.credited_taxable, row.credited_tax = taxable, tax
        else:
            row.taxable, row.tax = taxable, tax
    ordered = sorted(rows.values(), key=lambda row: (row.start, -row.percentage, row.category))
    return TaxReport(books, period, grain, ordered)


def _added(books: Books, period: Period, grain: str) -> Select:
    """Per bucket, rate, category and kind, from the documents' tax rows."""
    when = bucket(Invoice.issue_date, grain).label("start")
    return (
        select(
            when,
            InvoiceTaxTotal.percentage,
            InvoiceTaxTotal.category,
            Invoice.kind,
            func.sum(in_base(InvoiceTaxTotal.taxable_amount, books)),
            func.sum(in_base(InvoiceTaxTotal.tax_amount, books)),
        )
        .join(Invoice, Invoice.id == InvoiceTaxTotal.invoice_id)
        .where(*counted(books), *issued_in(period))
        .group_by(when, InvoiceTaxTotal.percentage, InvoiceTaxTotal.category, Invoice.kind)
    )


def _summed(books: Books, period: Period, grain: str) -> Select:
    """The same from the monthly summary rows."""
    summary = ReportMonthTaxes
    when = bucket(summary.month, grain).label("start")
    return (
        select(
            when,
            summary.percentage,
            summary.category,
            summary.kind,
            func.sum(summary.taxable_base),
            func.sum(summary.tax_base),
        )
        .where(*months_in(summary, books, period))
        .group_by(when, summary.percentage, summary.category, summary.kind)
        .having(func.sum(summary.documents) != 0)
    )


def tax_table(report: TaxReport) -> Table:
    """Per period and rate: invoiced and credited taxable amounts and tax, and what is left."""
    base = report.books.currency
    table = Table(
        "Tax",
        [
            "Period",
            "Rate %",
            "Category",
            "Taxable",
            "Tax",
            "Credited taxable",
            "Credited tax",
            "Net taxable",
            "Net tax",
        ],
        note=f"Amounts in {base} at each document's issue-time exchange rate, from the tax rows "
        "stored at issue; credit notes subtracted in the period they were issued.",
    )
    for row in report.rows:
        days = clipped(row.start, report.grain, report.period)
        rate = (row.percentage, row.category)
        invoices = Drill(
            kind=InvoiceKind.INVOICE.value, statuses=ISSUED_STATUSES, issued=days, tax_rate=rate
        )
        notes = Drill(
            kind=InvoiceKind.CREDIT_NOTE.value,
            statuses=ISSUED_STATUSES,
            issued=days,
            tax_rate=rate,
        )
        table.add(
            row.label,
            format_plain(row.percentage),
            row.category,
            Cell(row.taxable, invoices, base),
            Cell(row.tax, invoices, base),
            Cell(row.credited_taxable, notes, base),
            Cell(row.credited_tax, notes, base),
            Cell(row.net_taxable, None, base),
            Cell(row.net_tax, None, base),
        )
    names = ("taxable", "tax", "credited_taxable", "credited_tax", "net_taxable", "net_tax")
    table.add_total("Total", "", "", *(Cell(report.sum(name), None, base) for name in names))
    return table

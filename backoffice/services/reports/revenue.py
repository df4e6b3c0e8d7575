"""Revenue by month or quarter: invoices less credit notes, in the base currency."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import Invoice, InvoiceKind, ReportMonthDocuments, User

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
from .periods import Period, bucket_label, buckets, clipped
from .summaries import months_in, whole_months
from .tables import Cell, Drill, Table


@dataclass
class RevenueRow:
    start: date
    label: str
    invoiced_net: Decimal = ZERO
    credited_net: Decimal = ZERO
    invoiced_total: Decimal = ZERO
    credited_total: Decimal = ZERO
    invoices: int = 0
    credit_notes: int = 0

    @property
    def net(self) -> Decimal:
        """Revenue without VAT, net of credit notes."""
        return self.invoiced_net - self.credited_net

    @property
    def total(self) -> Decimal:
        """The same with VAT: what customers were billed, net of credit notes."""
        return self.invoiced_total - self.credited_total


class Revenue(PeriodReport[RevenueRow]):
    """Invoiced and credited per month or quarter."""


def revenue(
    session: Session, user: User, company_id: int, period: Period, grain: str = "month"
) -> Revenue:
    """Invoiced and credited per month or quarter of issue, in the base currency."""
    books = open_books(session, user, company_id)
    query = _summed(books, period, grain) if whole_months(period) else _added(books, period, grain)
    rows = {
        start: RevenueRow(start, bucket_label(start, grain)) for start in buckets(period, grain)
    }
    for start, kind, net, total, count in session.execute(query):
        row = rows[start]
        if kind == InvoiceKind.CREDIT_NOTE:
            row.credited_net, row.credited_total, row.credit_notes = net, total, count
        else:
            row.invoiced_net, row.invoiced_total, row.invoices = net, total, count
    return Revenue(books, period, grain, list(rows.values()))


def _added(books: Books, period: Period, grain: str) -> Select:
    """Per bucket and kind, from the documents."""
    when = bucket(Invoice.issue_date, grain).label("start")
    return (
        select(
            when,
            Invoice.kind,
            func.sum(in_base(Invoice.net_amount, books)),
            func.sum(in_base(Invoice.total_amount, books)),
            func.count(),
        )
        .where(*counted(books), *issued_in(period))
        .group_by(when, Invoice.kind)
    )


def _summed(books: Books, period: Period, grain: str) -> Select:
    """The same from the monthly summary rows."""
    summary = ReportMonthDocuments
    when = bucket(summary.month, grain).label("start")
    return (
        select(
            when,
            summary.kind,
            func.sum(summary.net_base),
            func.sum(summary.total_base),
            func.sum(summary.documents),
        )
        .where(*months_in(summary, books, period))
        .group_by(when, summary.kind)
        .having(func.sum(summary.documents) != 0)
    )


def revenue_table(report: Revenue) -> Table:
    """Per month or quarter: invoiced, credited and net, without and with VAT."""
    base = report.books.currency
    table = Table(
        "Revenue",
        [
            "Period",
            "Invoices",
            "Invoiced net",
            "Credit notes",
            "Credited net",
            "Net revenue",
            "Net revenue incl. VAT",
        ],
        note=f"Amounts in {base} at each document's issue-time exchange rate; net means "
        "without VAT.",
    )
    for row in report.rows:
        days = clipped(row.start, report.grain, report.period)
        invoices = Drill(kind=InvoiceKind.INVOICE.value, statuses=ISSUED_STATUSES, issued=days)
        notes = Drill(kind=InvoiceKind.CREDIT_NOTE.value, statuses=ISSUED_STATUSES, issued=days)
        table.add(
            row.label,
            Cell(row.invoices, invoices),
            Cell(row.invoiced_net, invoices, base),
            Cell(row.credit_notes, notes),
            Cell(row.credited_net, notes, base),
            Cell(row.net, None, base),
            Cell(row.total, None, base),
        )
    table.add_total(
        "Total",
        report.sum("invoices"),
        Cell(report.sum("invoiced_net"), None, base),
        report.sum("credit_notes"),
        Cell(report.sum("credited_net"), None, base),
        Cell(report.sum("net"), None, base),
        Cell(report.sum("total"), None, base),
    )
    return table

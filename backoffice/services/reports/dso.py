"""Days sales outstanding per month: receivables at month end against that month's sales."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import (
    Invoice,
    InvoiceKind,
    Payment,
    PaymentMethod,
    ReportMonthDocuments,
    ReportMonthPayments,
    User,
)

from .documents import ISSUED_STATUSES, ZERO, Books, counted, in_base, signed
from .payments import from_outside, payments_report
from .periods import Period, bucket_end, clipped
from .revenue import revenue
from .tables import Cell, Drill, Table


@dataclass
class DsoRow:
    start: date
    label: str
    sales: Decimal  # billed in the month, VAT included, net of credit notes
    collected: Decimal  # payments less refunds dated in the month
    receivables: Decimal  # owed at the month's end

    @property
    def days(self) -> int:
        return (bucket_end(self.start, "month") - self.start).days + 1

    @property
    def dso(self) -> Decimal | None:
        """Receivables / sales x days in the month; none without sales."""
        if self.sales <= 0:
            return None
        value = self.receivables / self.sales * self.days
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Dso:
    books: Books
    period: Period
    opening: Decimal = ZERO  # owed the day before the period starts
    rows: list[DsoRow] = field(default_factory=list)


def receivables_before(session: Session, books: Books, day: date) -> Decimal:
    """What customers owed at the end of the day before `day`: billed less credited less paid."""
    if day.day == 1:
        return _summed_before(session, books, day)
    return _added_before(session, books, day)


def _added_before(session: Session, books: Books, day: date) -> Decimal:
    """The same from the documents and payments."""
    billed = session.scalar(
        select(func.sum(signed(in_base(Invoice.total_amount, books)))).where(
            *counted(books), Invoice.issue_date < day
        )
    )
    paid = session.scalar(
        select(func.sum(in_base(Payment.amount, books)))
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Invoice.company_id == books.company_id, from_outside(), Payment.payment_date < day)
    )
    return (billed or ZERO) - (paid or ZERO)


def _summed_before(session: Session, books: Books, month: date) -> Decimal:
    """The same from the monthly summary rows of the months before `month`."""
    documents, payments = ReportMonthDocuments, ReportMonthPayments
    billed = session.scalar(
        select(
            func.sum(
                case(
                    (documents.kind == InvoiceKind.CREDIT_NOTE.value, -documents.total_base),
                    else_=documents.total_base,
                )
            )
        ).where(documents.company_id == books.company_id, documents.month < month)
    )
    paid = session.scalar(
        select(func.sum(payments.received_base - payments.refunded_base)).where(
            payments.company_id == books.company_id,
            payments.method != PaymentMethod.CUSTOMER_CREDIT.value,
            payments.month < month,
        )
    )
    return (billed or ZERO) - (paid or ZERO)


def dso(session: Session, user: User, company_id: int, period: Period) -> Dso:
    """Month by month: sales, collections, receivables at the end, and the DSO they give."""
    months = revenue(session, user, company_id, period, "month")
    collected: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for row in payments_report(session, user, company_id, period, "month").rows:
        collected[row.start] += row.net
    result = Dso(months.books, period, receivables_before(session, months.books, period.start))
    owed = result.opening
    for month in months.rows:
        owed += month.total - collected[month.start]
        result.rows.append(
            DsoRow(month.start, month.label, month.total, collected[month.start], owed)
        )
    return result


def dso_table(report: Dso) -> Table:
    """Per month: sales, collections, receivables at the month's end, DSO."""
    base = report.books.currency
    table = Table(
        "Days sales outstanding",
        ["Month", "Sales", "Collected", "Receivables at month end", "DSO (days)"],
        note=f"DSO = receivables at the month's end / the month's sales (VAT included, net of "
        f"credit notes) x its days. {base} at each document's issue-time exchange rate; "
        f"receivables before the period: {report.opening} {base}.",
    )
    for row in report.rows:
        days = clipped(row.start, "month", report.period)
        sales = Drill(statuses=ISSUED_STATUSES, issued=days)
        collected = Drill(target="payment", paid=days)
        table.add(
            row.label,
            Cell(row.sales, sales, base),
            Cell(row.collected, collected, base),
            Cell(row.receivables, None, base),
            row.dso,
        )
    return table

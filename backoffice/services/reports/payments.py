"""Payments received per month or quarter and method, refunds subtracted, in the base currency."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from models import Invoice, Payment, PaymentMethod, ReportMonthPayments, User

from .documents import ZERO, Books, PeriodReport, bucket, in_base, open_books
from .periods import Period, bucket_label, clipped
from .summaries import months_in, whole_months
from .tables import Cell, Drill, Table


@dataclass
class PaymentRow:
    start: date
    label: str
    method: str
    received: Decimal = ZERO
    refunded: Decimal = ZERO
    count: int = 0

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


class PaymentsReport(PeriodReport[PaymentRow]):
    """Payments received and refunded per month or quarter."""


def payments_in(books: Books, period: Period):
    """The company's payments and refunds dated in the period, with their invoice's rate."""
    return (
        select()
        .select_from(Payment)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(
            Invoice.company_id == books.company_id,
            from_outside(),
            Payment.payment_date >= period.start,
            Payment.payment_date <= period.end,
        )
    )


def from_outside() -> ColumnElement[bool]:
    """Money that came in or went out. Moves between an invoice and its customer's credit are
    neither: credit kept from an overpayment is still owed back, so it lowers receivables."""
    return Payment.method != PaymentMethod.CUSTOMER_CREDIT.value


def payments_report(
    session: Session, user: User, company_id: int, period: Period, grain: str = "month"
) -> PaymentsReport:
    """Money received and refunded by payment date and method."""
    books = open_books(session, user, company_id)
    query = _summed(books, period, grain) if whole_months(period) else _added(books, period, grain)
    rows = [
        PaymentRow(start, bucket_label(start, grain), method, received, refunded, count)
        for start, method, received, refunded, count in session.execute(query)
    ]
    return PaymentsReport(books, period, grain, rows)


def _added(books: Books, period: Period, grain: str) -> Select:
    """Per bucket and method: received, refunded and how many, from the payments."""
    when = bucket(Payment.payment_date, grain).label("start")
    amount = in_base(Payment.amount, books)
    return (
        payments_in(books, period)
        .add_columns(
            when,
            Payment.method,
            func.sum(case((Payment.amount > 0, amount), else_=0)),
            func.sum(case((Payment.amount < 0, -amount), else_=0)),
            func.count(),
        )
        .group_by(when, Payment.method)
        .order_by(when, Payment.method)
    )


def _summed(books: Books, period: Period, grain: str) -> Select:
    """The same from the monthly summary rows."""
    summary = ReportMonthPayments
    when = bucket(summary.month, grain).label("start")
    return (
        select(
            when,
            summary.method,
            func.sum(summary.received_base),
            func.sum(summary.refunded_base),
            func.sum(summary.payments),
        )
        .where(
            *months_in(summary, books, period),
            summary.method != PaymentMethod.CUSTOMER_CREDIT.value,
        )
        .group_by(when, summary.method)
        .having(func.sum(summary.payments) != 0)
        .order_by(when, summary.method)
    )


def payments_table(report: PaymentsReport) -> Table:
    """Per period and method: received, refunded, net."""
    base = report.books.currency
    table = Table(
        "Payments",
        ["Period", "Method", "Payments", "Received", "Refunded", "Net received"],
        note=f"Amounts in {base} at each invoice's issue-time exchange rate, by payment date.",
    )
    for row in report.rows:
        drill = Drill(
            target="payment",
            paid=clipped(row.start, report.grain, report.period),
            method=row.method,
        )
        table.add(
            row.label,
            row.method.replace("_", " "),
            Cell(row.count, drill),
            Cell(row.received, drill, base),
            Cell(row.refunded, drill, base),
            Cell(row.net, drill, base),
        )
    table.add_total(
        "Total",
        "",
        report.sum("count"),
        *(Cell(report.sum(name), None, base) for name in ("received", "refunded", "net")),
    )
    return table

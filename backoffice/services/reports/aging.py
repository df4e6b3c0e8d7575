"""Accounts-receivable aging: open balances per customer by days past due, totals per currency."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from models import Customer, Invoice, InvoiceKind, ReportOpenCustomers, ReportOpenDue, User

from ..invoicing.status import UNPAID_OPEN
from ..permissions import Action
from .documents import ZERO, Books, in_base, issued_in, open_books
from .periods import Period
from .tables import Cell, Drill, Page, Table


@dataclass(frozen=True)
class AgeBucket:
    """Days past due from `first` to `last` (None: no bound)."""

    name: str
    label: str
    first: int | None
    last: int | None

    def due_range(self, as_of: date) -> tuple[date | None, date | None]:
        """The due dates of this bucket: earliest and latest, as of a day."""
        earliest = as_of - timedelta(days=self.last) if self.last is not None else None
        latest = as_of - timedelta(days=self.first) if self.first is not None else None
        return earliest, latest


# Current: not yet due (due today or later), at most 0 days past due.
BUCKETS = (
    AgeBucket("current", "Current", None, 0),
    AgeBucket("days_1_30", "1-30", 1, 30),
    AgeBucket("days_31_60", "31-60", 31, 60),
    AgeBucket("days_61_90", "61-90", 61, 90),
    AgeBucket("days_over_90", "90+", 91, None),
)
PAGE_SIZE = 100  # customer rows per page
BALANCE = Invoice.total_amount - Invoice.paid_amount - Invoice.credited_amount


@dataclass
class AgingRow:
    customer_id: int | None
    customer: str
    currency: str
    amounts: dict[str, Decimal]
    in_base: dict[str, Decimal]  # the same per bucket, in the base currency
    invoices: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def total_in_base(self) -> Decimal:
        return sum(self.in_base.values(), ZERO)


@dataclass
class Aging:
    books: Books
    as_of: date
    period: Period | None
    page: Page  # which rows, largest balance first; page.total counts every row
    rows: list[AgingRow] = field(default_factory=list)
    totals: list[AgingRow] = field(default_factory=list)  # one per currency, every customer

    @property
    def total_in_base(self) -> Decimal:
        return sum((row.total_in_base for row in self.totals), ZERO)

    def bucket_in_base(self, name: str) -> Decimal:
        """One age bucket over every currency, in the base currency."""
        return sum((row.in_base[name] for row in self.totals), ZERO)


def open_invoices(books: Books, period: Period | None) -> list[ColumnElement[bool]]:
    """The company's invoices with a balance still owed (issued in the period, if one)."""
    clauses = [
        Invoice.company_id == books.company_id,
        Invoice.kind == InvoiceKind.INVOICE.value,
        Invoice.status.in_(sorted(status.value for status in UNPAID_OPEN)),
    ]
    return clauses + (issued_in(period) if period else [])


def past_due(bucket: AgeBucket, as_of: date, due_date: Any = Invoice.due_date) -> ColumnElement:
    """The invoices (or summary rows) whose due date puts them in an age bucket on a day."""
    earliest, latest = bucket.due_range(as_of)
    clauses = []
    if earliest is not None:
        clauses.append(due_date >= earliest)
    if latest is not None:
        clauses.append(due_date <= latest)
    return and_(*clauses)


def _columns(books: Books, as_of: date) -> list:
    """Per bucket the balance, then per bucket the balance in base currency, then a count."""
    converted = in_base(BALANCE, books)
    return [
        *(func.sum(case((past_due(b, as_of), BALANCE), else_=0)) for b in BUCKETS),
        *(func.sum(case((past_due(b, as_of), converted), else_=0)) for b in BUCKETS),
        func.count(),
    ]


def _summed_columns(as_of: date) -> list:
    """The same from the open balances per due date."""
    due = ReportOpenDue

    def by_bucket(amount: Any) -> list:
        return [
            func.sum(case((past_due(b, as_of, due.due_date), amount), else_=0)) for b in BUCKETS
        ]

    return [*by_bucket(due.balance), *by_bucket(due.balance_base), func.sum(due.invoices)]


def _row(customer_id, name, currency, values) -> AgingRow:
    names, size = [b.name for b in BUCKETS], len(BUCKETS)
    amounts = dict(zip(names, values[:size], strict=True))
    converted = dict(zip(names, values[size : 2 * size], strict=True))
    return AgingRow(customer_id, name, currency, amounts, converted, values[-1])


def aging(
    session: Session,
    user: User,
    company_id: int,
    as_of: date,
    period: Period | None = None,
    page: int | None = 1,
    action: Action = Action.VIEW_REPORTS,
) -> Aging:
    """Open balances by age as of a day: a page of customers, largest balance first, a row
    per currency each (page None: every customer, for the exports), and totals per currency.

    Every open invoice (no period): the ranking and the totals come from the summaries (the
    balance per customer, the balances per due date). Invoices issued in a period: from the
    documents. Either way the rows of a page add up only that page's customers' invoices.
    """
    books = open_books(session, user, company_id, action)
    size = PAGE_SIZE if page is not None else None
    page = page or 1
    where = open_invoices(books, period)
    if period is None:
        owed = ReportOpenCustomers
        scope = [owed.company_id == books.company_id, owed.invoices != 0]
        count = select(func.count()).where(*scope)
        ranking = select(owed.customer_id).where(*scope)
        ranking = ranking.order_by(owed.balance_base.desc(), owed.customer_id.desc())
        totals = _summed_totals(books, as_of)
    else:
        owed_in_base = func.sum(in_base(BALANCE, books))
        count = select(func.count(Invoice.customer_id.distinct())).where(*where)
        ranking = select(Invoice.customer_id).where(*where).group_by(Invoice.customer_id)
        ranking = ranking.order_by(owed_in_base.desc(), Invoice.customer_id.desc())
        totals = _added_totals(books, as_of, where)
    result = Aging(books, as_of, period, Page(page, size, session.scalar(count) or 0))
    result.totals = [_row(None, "Total", row[0], row[1:]) for row in session.execute(totals)]
    ranked = session.scalars(ranking.offset((page - 1) * (size or 0)).limit(size)).all()
    result.rows = _customer_rows(session, books, as_of, where, ranked)
    return result


def _added_totals(books: Books, as_of: date, where: list) -> Select:
    """Per currency and bucket, from the documents."""
    return (
        select(Invoice.currency, *_columns(books, as_of))
        .where(*where)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    )


def _summed_totals(books: Books, as_of: date) -> Select:
    """The same from the open balances per due date."""
    due = ReportOpenDue
    return (
        select(due.currency, *_summed_columns(as_of))
        .where(due.company_id == books.company_id)
        .group_by(due.currency)
        .having(func.sum(due.invoices) != 0)
        .order_by(due.currency)
    )


def _customer_rows(
    session: Session, books: Books, as_of: date, where: list, ranked: Sequence[int]
) -> list[AgingRow]:
    """The buckets of the ranked customers, in their order, a row per currency."""
    if not ranked:
        return []
    # Names on their own: joined, the planner may hash all 100,000 customers for a page.
    named = select(Customer.id, Customer.name).where(Customer.id.in_(ranked))
    names = dict(session.execute(named).tuples().all())
    buckets = session.execute(
        select(Invoice.customer_id, Invoice.currency, *_columns(books, as_of))
        .where(*where, Invoice.customer_id.in_(ranked))
        .group_by(Invoice.customer_id, Invoice.currency)
        .order_by(Invoice.currency)
    )
    rows: dict[int, list[AgingRow]] = {customer_id: [] for customer_id in ranked}
    for row in buckets:
        rows[row[0]].append(_row(row[0], names[row[0]], row[1], row[2:]))
    return [row for customer_id in ranked for row in rows[customer_id]]


UNPAID_STATUSES = tuple(sorted(status.value for status in UNPAID_OPEN))


def _drill(report: Aging, customer_id: int | None, currency: str, bucket: AgeBucket | None):
    return Drill(
        customer_id=customer_id,
        currency=currency,
        kind=InvoiceKind.INVOICE.value,
        statuses=UNPAID_STATUSES,
        due=bucket.due_range(report.as_of) if bucket else None,
        issued=(report.period.start, report.period.end) if report.period else None,
    )


def _cells(report: Aging, row: AgingRow) -> list[Cell]:
    currency, base = row.currency, report.books.currency
    return [
        *(
            Cell(row.amounts[b.name], _drill(report, row.customer_id, currency, b), currency)
            for b in BUCKETS
        ),
        Cell(row.total, _drill(report, row.customer_id, currency, None), currency),
        Cell(row.total_in_base, None, base),
    ]


def aging_table(report: Aging) -> Table:
    """Per customer and currency, the balance by days past due; totals per currency."""
    base = report.books.currency
    note = f"Open balances as of {report.as_of.isoformat()}, by days past the due date"
    if report.period:
        note += f", of invoices issued {report.period.start} to {report.period.end}"
    note += ". "
    if report.page.last > 1:
        first = (report.page.number - 1) * (report.page.size or 0) + 1
        note += (
            f"Customers {first:,} to {min(first + report.page.size - 1, report.page.total):,} "
            f"of {report.page.total:,}, largest balance first; totals cover all. "
        )
    table = Table(
        "Aging",
        ["Customer", "Currency", *(b.label for b in BUCKETS), "Open balance", f"In {base}"],
        note=note + f"{base} at each invoice's issue-time exchange rate.",
        page=report.page,
    )
    for row in report.rows:
        table.add(row.customer, row.currency, *_cells(report, row))
    for row in report.totals:
        table.add_total("Total", row.currency, *_cells(report, row))
    return table

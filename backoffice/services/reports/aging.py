"""Accounts-receivable aging: open balances per customer by days past due, totals per currency."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from models import Customer, Invoice, InvoiceKind, User

from ..invoicing.status import UNPAID_OPEN
from ..permissions import Action
from .documents import ZERO, Books, in_base, issued_in, open_books
from .periods import Period
from .tables import Cell, Drill, Table


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
    rows: list[AgingRow] = field(default_factory=list)
    totals: list[AgingRow] = field(default_factory=list)  # one per currency, every customer
    row_count: int = 0  # customer and currency rows with an open balance, shown or not

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


def past_due(bucket: AgeBucket, as_of: date) -> ColumnElement[bool]:
    """The invoices whose due date puts them in an age bucket on a day."""
    earliest, latest = bucket.due_range(as_of)
    clauses = []
    if earliest is not None:
        clauses.append(Invoice.due_date >= earliest)
    if latest is not None:
        clauses.append(Invoice.due_date <= latest)
    return and_(*clauses)


def _columns(books: Books, as_of: date) -> list:
    """Per bucket the balance, then per bucket the balance in base currency, then a count."""
    converted = in_base(BALANCE, books)
    return [
        *(func.sum(case((past_due(b, as_of), BALANCE), else_=0)) for b in BUCKETS),
        *(func.sum(case((past_due(b, as_of), converted), else_=0)) for b in BUCKETS),
        func.count(),
    ]


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
    limit: int = 100,
    action: Action = Action.VIEW_REPORTS,
) -> Aging:
    """Open balances by age as of a day: the `limit` largest customers, totals per currency."""
    books = open_books(session, user, company_id, action)
    where = open_invoices(books, period)
    per_customer = (
        select(Invoice.customer_id, Invoice.currency, *_columns(books, as_of))
        .where(*where)
        .group_by(Invoice.customer_id, Invoice.currency)
        .subquery()
    )
    values = [column for column in per_customer.c][2:]
    owed_in_base = sum(values[len(BUCKETS) : 2 * len(BUCKETS)][1:], values[len(BUCKETS)])
    top = (
        select(per_customer.c.customer_id, Customer.name, per_customer.c.currency, *values)
        .join(Customer, Customer.id == per_customer.c.customer_id)
        .order_by(owed_in_base.desc(), per_customer.c.customer_id)
        .limit(limit)
    )
    result = Aging(books, as_of, period)
    result.rows = [_row(row[0], row[1], row[2], row[3:]) for row in session.execute(top)]
    totals = (
        select(
            Invoice.currency, *_columns(books, as_of), func.count(Invoice.customer_id.distinct())
        )
        .where(*where)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    )
    for row in session.execute(totals):
        result.totals.append(_row(None, "Total", row[0], row[1:-1]))
        result.row_count += row[-1]
    return result


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
    shown = len(report.rows)
    note = f"Open balances as of {report.as_of.isoformat()}, by days past the due date"
    if report.period:
        note += f", of invoices issued {report.period.start} to {report.period.end}"
    note += ". "
    if shown < report.row_count:
        note += f"The {shown} largest of {report.row_count} balances; totals cover all. "
    table = Table(
        "Aging",
        ["Customer", "Currency", *(b.label for b in BUCKETS), "Open balance", f"In {base}"],
        note=note + f"{base} at each invoice's issue-time exchange rate.",
    )
    for row in report.rows:
        table.add(row.customer, row.currency, *_cells(report, row))
    for row in report.totals:
        table.add_total("Total", row.currency, *_cells(report, row))
    return table

"""What every report shares: whose figures, which documents count, and base-currency amounts."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Date, case, cast, func, text
from sqlalchemy.orm import Session

from models import Company, Invoice, InvoiceKind, InvoiceStatus, User

from ..errors import DomainError
from ..invoicing.status import OPEN_STATUSES
from ..money import currency_exponent
from ..permissions import Action, require
from ..scoping import require_company
from .periods import Period

ZERO = Decimal(0)
# Issued documents count from their issue date: drafts do not exist yet, voided invoices never
# happened (void is allowed only while nothing was paid or credited).
COUNTED = (InvoiceStatus.DRAFT.value, InvoiceStatus.VOID.value)


@dataclass(frozen=True)
class Books:
    """One company's figures: reports never add up two companies' base currencies."""

    company_id: int
    company_name: str
    currency: str

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)


def settle_summaries(session: Session) -> None:
    """Bring the report summaries up to this transaction's own changes.

    Their triggers (migration 0025) run at commit; a report read in the transaction that
    changed documents (a test, a job that records and then reports) runs them now.
    """
    triggers = "report_invoices_summarise, report_payments_summarise"
    session.execute(text(f"SET CONSTRAINTS {triggers} IMMEDIATE"))
    session.execute(text(f"SET CONSTRAINTS {triggers} DEFERRED"))


def open_books(
    session: Session, user: User, company_id: int, action: Action = Action.VIEW_REPORTS
) -> Books:
    """The company whose figures the user asks for, once role and company access are checked."""
    require(user, action)
    require_company(user, company_id)
    settle_summaries(session)
    # These aggregates cross PostgreSQL's JIT threshold at a million invoices, and compiling
    # them cost about 65 ms of a 460 ms query (EXPLAIN ANALYZE) while saving nothing.
    session.execute(text("SET LOCAL jit = off"))
    # Grouping a year's documents or summary rows by customer (80,000 groups at 1M invoices)
    # spilled to disk at the default 4 MB, which made it half as fast again.
    session.execute(text("SET LOCAL work_mem = '32MB'"))
    company = session.get(Company, company_id)
    if company is None:
        raise DomainError("There is no such company.", "company")
    return Books(company.id, company.name, company.base_currency)


def in_base(amount: Any, books: Books) -> ColumnElement:
    """An invoice-currency amount in the base currency at the issue-time rate, per document.

    PostgreSQL rounds numeric halves away from zero, as ROUND_HALF_UP does.
    """
    return func.round(amount * Invoice.exchange_rate, books.exponent)


def signed(amount: Any) -> ColumnElement:
    """Invoices add, credit notes subtract."""
    return case((Invoice.kind == InvoiceKind.CREDIT_NOTE.value, -amount), else_=amount)


def counted(books: Books) -> list[ColumnElement[bool]]:
    """The company's issued, not void, invoices and credit notes."""
    return [Invoice.company_id == books.company_id, Invoice.status.not_in(COUNTED)]


def issued_in(period: Period) -> list[ColumnElement[bool]]:
    """Documents issued in the period, both ends included."""
    return [Invoice.issue_date >= period.start, Invoice.issue_date <= period.end]


def bucket(column: Any, grain: str) -> ColumnElement:
    """The first day of the month or quarter of a date column."""
    return cast(func.date_trunc(grain, column), Date)


# The statuses of a document that counts (COUNTED's complement), for list filters.
ISSUED_STATUSES = tuple(sorted(status.value for status in OPEN_STATUSES))


Row = TypeVar("Row")


@dataclass
class PeriodReport(Generic[Row]):
    """A report's rows for one company and period, by month or quarter, and their totals."""

    books: Books
    period: Period
    grain: str
    rows: list[Row] = field(default_factory=list)

    def sum(self, name: str) -> Decimal:
        return sum((getattr(row, name) for row in self.rows), ZERO)

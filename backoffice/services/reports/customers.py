"""Top customers: by revenue in a period, and by what they owe now."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from models import (
    Customer,
    Invoice,
    InvoiceKind,
    ReportMonthCustomers,
    ReportOpenCustomers,
    User,
)

from ..permissions import Action
from .aging import BALANCE, UNPAID_STATUSES, open_invoices
from .documents import ISSUED_STATUSES, Books, counted, in_base, issued_in, open_books, signed
from .periods import Period
from .summaries import months_in, whole_months
from .tables import Cell, Drill, Table


@dataclass
class CustomerFigure:
    customer_id: int
    customer: str
    amount: Decimal  # base currency
    documents: int


@dataclass
class TopCustomers:
    books: Books
    period: Period
    by_revenue: list[CustomerFigure] = field(default_factory=list)
    by_balance: list[CustomerFigure] = field(default_factory=list)


def _added(amount, where: list) -> Subquery:
    """Per customer an amount and the documents behind it, from the documents."""
    return (
        select(Invoice.customer_id, func.sum(amount).label("amount"), func.count().label("docs"))
        .where(*where)
        .group_by(Invoice.customer_id)
        .subquery()
    )


def _summed(books: Books, period: Period) -> Subquery:
    """Net revenue per customer from the monthly summary rows."""
    summary = ReportMonthCustomers
    return (
        select(
            summary.customer_id,
            func.sum(summary.net_base).label("amount"),
            func.sum(summary.documents).label("docs"),
        )
        .where(*months_in(summary, books, period))
        .group_by(summary.customer_id)
        .having(func.sum(summary.documents) != 0)
        .subquery()
    )


def _owed(books: Books) -> Subquery:
    """What each customer owes now, from the open balance per customer (one row each)."""
    owed = ReportOpenCustomers
    return (
        select(
            owed.customer_id,
            owed.balance_base.label("amount"),
            owed.invoices.label("docs"),
        )
        .where(owed.company_id == books.company_id, owed.invoices != 0)
        .subquery()
    )


def _ranked(session: Session, per_customer: Subquery, limit: int) -> list[CustomerFigure]:
    # Ties in the order of the open balances' ranking index, read backwards.
    top = (
        select(per_customer)
        .order_by(per_customer.c.amount.desc(), per_customer.c.customer_id.desc())
        .limit(limit)
        .subquery()
    )
    # Joined after the limit: before it, the planner may hash every customer.
    query = (
        select(top.c.customer_id, Customer.name, top.c.amount, top.c.docs)
        .join(Customer, Customer.id == top.c.customer_id)
        .order_by(top.c.amount.desc(), top.c.customer_id.desc())
    )
    return [CustomerFigure(*row) for row in session.execute(query)]


def top_customers(
    session: Session, user: User, company_id: int, period: Period, limit: int = 20
) -> TopCustomers:
    """Net revenue (without VAT) issued in the period, and open balances now, per customer."""
    books = open_books(session, user, company_id)
    result = TopCustomers(books, period)
    if whole_months(period):
        per_customer = _summed(books, period)
    else:
        revenue = signed(in_base(Invoice.net_amount, books))
        per_customer = _added(revenue, [*counted(books), *issued_in(period)])
    result.by_revenue = _ranked(session, per_customer, limit)
    result.by_balance = top_debtors(session, user, company_id, None, limit)
    return result


def top_debtors(
    session: Session,
    user: User,
    company_id: int,
    overdue_on: date | None,
    limit: int,
    action: Action = Action.VIEW_REPORTS,
) -> list[CustomerFigure]:
    """Customers by open balance in the base currency; past due on a day, if one is given."""
    books = open_books(session, user, company_id, action)
    if overdue_on is None:
        return _ranked(session, _owed(books), limit)
    return _top_overdue(session, books, overdue_on, limit)


def _top_overdue(session: Session, books: Books, overdue_on: date, limit: int):
    """The largest balances past due, exactly, without grouping every open invoice.

    What a customer has past due is part of what it owes (balances are never negative), so
    customers are taken in order of what they owe, a batch at a time, until the smallest
    past-due figure kept beats the largest any later customer could have.
    """
    owed, batch, offset = _owed(books), max(100, 10 * limit), 0
    best: list[CustomerFigure] = []
    ordered = select(owed.c.customer_id, owed.c.amount).order_by(
        owed.c.amount.desc(), owed.c.customer_id.desc()
    )
    while candidates := session.execute(ordered.offset(offset).limit(batch)).all():
        ids = [customer_id for customer_id, _ in candidates]
        where = [*open_invoices(books, None), Invoice.due_date < overdue_on]
        where.append(Invoice.customer_id.in_(ids))
        best = sorted(
            best + _ranked(session, _added(in_base(BALANCE, books), where), limit),
            key=lambda figure: (-figure.amount, -figure.customer_id),
        )[:limit]
        if len(best) == limit and best[-1].amount > candidates[-1].amount:
            break
        offset += batch
    return best


def customers_table(report: TopCustomers) -> Table:
    """Two rankings side by side: revenue in the period, open balance now."""
    base = report.books.currency
    period = (report.period.start, report.period.end)
    table = Table(
        "Customers",
        [
            "Rank",
            "By revenue",
            "Net revenue",
            "Documents",
            "By open balance",
            "Open balance",
            "Open invoices",
        ],
        note=f"Revenue without VAT issued in the period, net of credit notes; balances owed "
        f"now. Both in {base} at each document's issue-time exchange rate.",
    )
    for rank in range(max(len(report.by_revenue), len(report.by_balance))):
        cells: list[Cell | str | int | None] = [rank + 1]
        if rank < len(report.by_revenue):
            top = report.by_revenue[rank]
            drill = Drill(customer_id=top.customer_id, statuses=ISSUED_STATUSES, issued=period)
            cells += [top.customer, Cell(top.amount, drill, base), Cell(top.documents, drill)]
        else:
            cells += [None, None, None]
        if rank < len(report.by_balance):
            debtor = report.by_balance[rank]
            drill = Drill(
                customer_id=debtor.customer_id,
                kind=InvoiceKind.INVOICE.value,
                statuses=UNPAID_STATUSES,
            )
            cells += [
                debtor.customer,
                Cell(debtor.amount, drill, base),
                Cell(debtor.documents, drill),
            ]
        else:
            cells += [None, None, None]
        table.add(*cells)
    return table

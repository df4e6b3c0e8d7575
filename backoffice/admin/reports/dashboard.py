"""The home page's figures: the reports' own functions, through the same cache keys.

Everyone signed in gets a dashboard. Support staff, who may read invoices but not reports,
see what customers owe and what failed (to chase and resend), not revenue or collections.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy.orm import Session

from models import InvoiceKind, User

from ...services.invoicing import approvals
from ...services.permissions import Action, can
from ...services.reports.aging import UNPAID_STATUSES, Aging, aging
from ...services.reports.attention import failed_emails
from ...services.reports.customers import CustomerFigure, top_debtors
from ...services.reports.documents import ISSUED_STATUSES, Books, open_books
from ...services.reports.payments import payments_report
from ...services.reports.periods import Period, add_months, month_of, preset_period
from ...services.reports.revenue import Revenue, revenue
from ...services.reports.tables import Drill
from ...services.scoping import may_see_company
from ...services.sync import failures as sync_failures
from .cache import cached, figures_key

FAILED_COUNTED = 200  # the failed jobs the Jobs screen lists, at most


@dataclass
class Comparison:
    label: str
    current: Decimal
    previous: Decimal
    current_drill: Drill
    previous_drill: Drill


@dataclass
class Dashboard:
    books: Books
    month: Period
    previous: Period
    receivables: Aging
    overdue_customers: list[CustomerFigure]
    failed_emails: int
    failed_jobs: int | None  # None: Redis did not answer
    failed_syncs: int
    awaiting_approval: int  # draft credit notes above the threshold, not approved
    comparisons: list[Comparison] = field(default_factory=list)  # empty for support
    revenue: Revenue | None = None  # twelve months to the chosen one; None for support

    # Where "awaiting approval" links: the company's draft credit notes.
    approval_drill = Drill(kind=InvoiceKind.CREDIT_NOTE.value, statuses=("draft",))

    def outstanding(self) -> list[tuple[str, Decimal, Decimal]]:
        """Per currency: the open balance, and the part of it past due."""
        return [
            (r.currency, r.total, r.total - r.amounts["current"]) for r in self.receivables.totals
        ]


def build(session: Session, user: User, company_id: int, month: date, today: date) -> Dashboard:
    """The dashboard of a company for a month (compared with the month before)."""
    reports = can(user, Action.VIEW_REPORTS)
    action = Action.VIEW_REPORTS if reports else Action.VIEW
    books = open_books(session, user, company_id, action)
    everything = preset_period("all_time", today)
    chosen, previous = month_of(month), month_of(add_months(month, -1))
    board = Dashboard(
        books,
        chosen,
        previous,
        cached(
            figures_key("aging", company_id, everything, "month", today),
            lambda: aging(session, user, company_id, today, action=action),
        ),
        cached(
            figures_key("overdue_customers", company_id, everything, "month", today),
            lambda: top_debtors(session, user, company_id, today, 5, action),
        ),
        failed_emails(session, user),
        failed_jobs(user),
        sync_failures.failed_count(session, user),
        approvals.awaiting_approval(session, user, company_id),
    )
    if reports:
        board.comparisons = _comparisons(session, user, company_id, previous.start, chosen, today)
        year = Period(add_months(month, -11), chosen.end)
        board.revenue = cached(
            figures_key("revenue", company_id, year, "month", today),
            lambda: revenue(session, user, company_id, year, "month"),
        )
    return board


def _comparisons(session, user, company_id, start, chosen, today) -> list[Comparison]:
    both = Period(start, chosen.end)
    billed = cached(
        figures_key("revenue", company_id, both, "month", today),
        lambda: revenue(session, user, company_id, both, "month"),
    )
    paid = cached(
        figures_key("payments", company_id, both, "month", today),
        lambda: payments_report(session, user, company_id, both, "month"),
    )
    last, this = billed.rows
    months = [(last.start, month_of(last.start)), (this.start, month_of(this.start))]

    def collected(month_start: date) -> Decimal:
        return sum((row.net for row in paid.rows if row.start == month_start), Decimal(0))

    def drill(kind: str | None, period: Period) -> Drill:
        days = (period.start, period.end)
        if kind is None:
            return Drill(target="payment", paid=days)
        return Drill(kind=kind, statuses=ISSUED_STATUSES, issued=days)

    invoice, note = InvoiceKind.INVOICE.value, InvoiceKind.CREDIT_NOTE.value
    return [
        Comparison(
            label,
            figure(this),
            figure(last),
            drill(kind, months[1][1]),
            drill(kind, months[0][1]),
        )
        for label, kind, figure in (
            ("Invoiced (without VAT)", invoice, lambda row: row.invoiced_net),
            ("Credited (without VAT)", note, lambda row: row.credited_net),
            ("Collected", None, lambda row: collected(row.start)),
        )
    ]


def failed_jobs(user: User) -> int | None:
    """Failed jobs of the user's companies that the Jobs screen lists; None without Redis."""
    dispatcher = current_app.extensions["dispatcher"]
    try:
        count = 0
        for name in dispatcher.queue_names:
            registry = FailedJobRegistry(queue=Queue(name, connection=dispatcher.connection))
            ids = registry.get_job_ids(0, FAILED_COUNTED - 1)
            for job in Job.fetch_many(ids, connection=dispatcher.connection):
                if job is not None and may_see_company(user, job.meta.get("company_id")):
                    count += 1
        return count
    except RedisError:
        return None


def outstanding_drill(currency: str, overdue_on: date | None = None) -> Drill:
    """The open invoices in a currency; past due on a day, if one is given."""
    due = (None, overdue_on - timedelta(days=1)) if overdue_on else None
    return Drill(
        currency=currency, kind=InvoiceKind.INVOICE.value, statuses=UNPAID_STATUSES, due=due
    )


def customer_drill(customer_id: int, overdue_on: date) -> Drill:
    """A customer's open invoices past due on a day."""
    return Drill(
        customer_id=customer_id,
        kind=InvoiceKind.INVOICE.value,
        statuses=UNPAID_STATUSES,
        due=(None, overdue_on - timedelta(days=1)),
    )

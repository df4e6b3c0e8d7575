"""The reports: each one's figures, table, chart and the periods it offers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from models import User

from ...services.reports import aging, customers, dso, payments, revenue, tax
from ...services.reports.tables import Table
from . import charts
from .choices import Choice

Compute = Callable[[Session, User, Choice, date], Any]


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    summary: str
    compute: Compute
    table: Callable[[Any], Table]
    chart: Callable[[Any], str] | None
    default_period: str
    grains: tuple[str, ...] = ("month", "quarter")
    all_time: bool = False  # offers "All time" (aging: every open invoice)
    paged: bool = False  # its rows come a page at a time (?page=); exports hold every row


REPORTS = {
    report.name: report
    for report in (
        Report(
            "aging",
            "Aging",
            "Open balances per customer by days past due, with totals per currency.",
            lambda s, u, c, today: aging.aging(
                s, u, c.company_id, today, None if c.every_open_invoice else c.period, c.page
            ),
            aging.aging_table,
            charts.aging_chart,
            "all_time",
            grains=(),
            all_time=True,
            paged=True,
        ),
        Report(
            "revenue",
            "Revenue",
            "Invoiced less credited per month or quarter, in the base currency.",
            lambda s, u, c, today: revenue.revenue(s, u, c.company_id, c.period, c.grain),
            revenue.revenue_table,
            charts.revenue_chart,
            "last_12_months",
        ),
        Report(
            "tax",
            "Tax",
            "Taxable amount and tax per rate and category, credit notes subtracted.",
            lambda s, u, c, today: tax.tax_report(s, u, c.company_id, c.period, c.grain),
            tax.tax_table,
            None,
            "last_quarter",
            grains=("quarter", "month"),
        ),
        Report(
            "payments",
            "Payments",
            "Money received per period and payment method, refunds subtracted.",
            lambda s, u, c, today: payments.payments_report(s, u, c.company_id, c.period, c.grain),
            payments.payments_table,
            charts.payments_chart,
            "last_12_months",
        ),
        Report(
            "customers",
            "Customers",
            "Top customers by revenue in the period and by what they owe now.",
            lambda s, u, c, today: customers.top_customers(s, u, c.company_id, c.period),
            customers.customers_table,
            charts.customers_chart,
            "last_12_months",
            grains=(),
        ),
        Report(
            "dso",
            "DSO",
            "Days sales outstanding per month: receivables against sales.",
            lambda s, u, c, today: dso.dso(s, u, c.company_id, c.period),
            dso.dso_table,
            charts.dso_chart,
            "last_12_months",
            grains=("month",),
        ),
    )
}

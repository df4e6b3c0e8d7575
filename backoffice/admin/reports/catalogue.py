"""The reports: each one's figures, table, chart and the periods it offers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from models import User

from ...services.reports import aging, customers, dso, payments, revenue, tax
from ...services.reports.periods import Period
from ...services.reports.tables import Table
from . import charts

Compute = Callable[[Session, User, int, Period, str, date], Any]


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


REPORTS = {
    report.name: report
    for report in (
        Report(
            "aging",
            "Aging",
            "Open balances per customer by days past due, with totals per currency.",
            lambda s, u, c, p, g, today: aging.aging(s, u, c, today, p),
            aging.aging_table,
            charts.aging_chart,
            "all_time",
            grains=(),
            all_time=True,
        ),
        Report(
            "revenue",
            "Revenue",
            "Invoiced less credited per month or quarter, in the base currency.",
            lambda s, u, c, p, g, today: revenue.revenue(s, u, c, p, g),
            revenue.revenue_table,
            charts.revenue_chart,
            "last_12_months",
        ),
        Report(
            "tax",
            "Tax",
            "Taxable amount and tax per rate and category, credit notes subtracted.",
            lambda s, u, c, p, g, today: tax.tax_report(s, u, c, p, g),
            tax.tax_table,
            None,
            "last_quarter",
            grains=("quarter", "month"),
        ),
        Report(
            "payments",
            "Payments",
            "Money received per period and payment method, refunds subtracted.",
            lambda s, u, c, p, g, today: payments.payments_report(s, u, c, p, g),
            payments.payments_table,
            charts.payments_chart,
            "last_12_months",
        ),
        Report(
            "customers",
            "Customers",
            "Top customers by revenue in the period and by what they owe now.",
            lambda s, u, c, p, g, today: customers.top_customers(s, u, c, p),
            customers.customers_table,
            charts.customers_chart,
            "last_12_months",
            grains=(),
        ),
        Report(
            "dso",
            "DSO",
            "Days sales outstanding per month: receivables against sales.",
            lambda s, u, c, p, g, today: dso.dso(s, u, c, p),
            dso.dso_table,
            charts.dso_chart,
            "last_12_months",
            grains=("month",),
        ),
    )
}

"""Charts drawn on the server with pygal and shown as images: no script, nothing fetched.

pygal always writes an inline configuration script into its SVG, which the
Content-Security-Policy would refuse on the page; an <img> with a data: URL (img-src allows
data:) never runs scripts, and the names in it (customers) cannot reach the page's DOM.
"""

import base64
from decimal import Decimal

import pygal
from pygal.style import Style

from ...services.reports.aging import BUCKETS, Aging
from ...services.reports.customers import TopCustomers
from ...services.reports.dso import Dso
from ...services.reports.payments import PaymentsReport
from ...services.reports.revenue import Revenue

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#333",
    foreground_subtle="#ddd",
    colors=("#2780e3", "#ff7518", "#3fb618", "#9954bb", "#ff0039", "#373a3c"),
    font_family="sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    title_font_size=14,
)


def _chart(kind: type, title: str, width: int = 900, **options) -> pygal.Graph:
    return kind(
        title=title,
        style=STYLE,
        js=[],  # no kozea.github.io scripts
        width=width,
        height=width * 16 // 45,
        show_legend=options.pop("show_legend", False),
        legend_at_bottom=True,
        print_values=False,
        **options,
    )


def data_url(chart: pygal.Graph) -> str:
    """The chart as an SVG data: URL for an <img>."""
    svg = chart.render()  # bytes with its XML declaration
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _amounts(values: list[Decimal]) -> list[float]:
    # pygal draws floats; the figures themselves stay Decimal in the table beside it.
    return [float(value) for value in values]


def revenue_chart(report: Revenue, width: int = 900) -> str:
    """Net revenue per month or quarter, as bars."""
    title = f"Net revenue without VAT ({report.books.currency})"
    chart = _chart(pygal.Bar, title, width, x_label_rotation=-30 if len(report.rows) > 8 else 0)
    chart.x_labels = [row.label for row in report.rows]
    chart.add("Net revenue", _amounts([row.net for row in report.rows]))
    return data_url(chart)


def aging_chart(report: Aging, width: int = 900) -> str:
    """Open balances per age bucket, every currency in the base currency."""
    title = f"Open balances by days past due ({report.books.currency})"
    chart = _chart(pygal.Bar, title, width)
    chart.x_labels = [bucket.label for bucket in BUCKETS]
    chart.add("Open", _amounts([report.bucket_in_base(bucket.name) for bucket in BUCKETS]))
    return data_url(chart)


def payments_chart(report: PaymentsReport) -> str:
    """Money received per period, stacked by payment method."""
    chart = _chart(
        pygal.StackedBar, f"Received by method ({report.books.currency})", show_legend=True
    )
    labels = sorted({(row.start, row.label) for row in report.rows})
    chart.x_labels = [label for _, label in labels]
    for method in sorted({row.method for row in report.rows}):
        net = {row.start: row.net for row in report.rows if row.method == method}
        chart.add(method.replace("_", " "), _amounts([net.get(s, Decimal(0)) for s, _ in labels]))
    return data_url(chart)


def customers_chart(report: TopCustomers) -> str:
    """The ten largest customers by net revenue, as horizontal bars."""
    chart = _chart(pygal.HorizontalBar, f"Top customers by net revenue ({report.books.currency})")
    top = report.by_revenue[:10]
    chart.x_labels = [figure.customer[:40] for figure in reversed(top)]
    chart.add("Net revenue", _amounts([figure.amount for figure in reversed(top)]))
    return data_url(chart)


def dso_chart(report: Dso) -> str:
    """Days sales outstanding per month, as a line (gaps where nothing was sold)."""
    chart = _chart(pygal.Line, "Days sales outstanding")
    chart.x_labels = [row.label for row in report.rows]
    chart.add("DSO", [float(row.dso) if row.dso is not None else None for row in report.rows])
    return data_url(chart)

"""Links from a report figure to the invoice or payment list filtered to the documents behind it."""

from datetime import date, timedelta

from flask import current_app, g, url_for

from ...services.money import format_plain
from ...services.reports.tables import Drill

# Which list filter (its name and operation, as Flask-Admin labels them) each criterion uses.
FILTERS = {
    "company": ("Company id", "equals"),
    "customer_id": ("Customer id", "equals"),
    "currency": ("Currency", "equals"),
    "kind": ("Kind", "equals"),
    "statuses": ("Status", "in list"),
    "issued": ("Issue Date", "between"),
    "due_after": ("Due Date", "greater than"),
    "due_before": ("Due Date", "smaller than"),
    "paid": ("Date", "between"),  # the payment list labels payment_date "Date"
    "method": ("Method", "equals"),
    "tax_rate": ("Tax rate", "equals"),
}


def _filter_args(endpoint: str) -> dict[tuple[str, str], str]:
    """The list's URL argument per (filter name, operation), read from the view itself once
    per request (a page links hundreds of figures)."""
    known = g.setdefault("list_filter_args", {})
    if endpoint not in known:
        known[endpoint] = _read_filter_args(endpoint)
    return known[endpoint]


def _read_filter_args(endpoint: str) -> dict[tuple[str, str], str]:
    admin = current_app.extensions["admin"][0]
    view = next(v for v in admin._views if v.endpoint == endpoint)
    return {
        (str(flt.name), str(flt.operation())): view.get_filter_arg(index, flt)
        for index, flt in enumerate(view._filters)
    }


def _days(days: tuple[date, date]) -> str:
    return f"{days[0].isoformat()} to {days[1].isoformat()}"


def _criteria(drill: Drill, company_id: int) -> list[tuple[str, str]]:
    found = [("company", str(company_id))]
    for name in ("customer_id", "currency", "kind", "method"):
        if (value := getattr(drill, name)) is not None:
            found.append((name, str(value)))
    if drill.statuses:
        found.append(("statuses", ",".join(drill.statuses)))
    if drill.issued:
        found.append(("issued", _days(drill.issued)))
    if drill.paid:
        found.append(("paid", _days(drill.paid)))
    if drill.tax_rate:
        percentage, category = drill.tax_rate
        found.append(("tax_rate", f"{format_plain(percentage)} {category}"))
    if drill.due:
        # The list's date filters compare strictly: one day further out on either side.
        earliest, latest = drill.due
        if earliest is not None:
            found.append(("due_after", (earliest - timedelta(days=1)).isoformat()))
        if latest is not None:
            found.append(("due_before", (latest + timedelta(days=1)).isoformat()))
    return found


def drill_url(drill: Drill, company_id: int) -> str:
    """The list URL showing exactly the documents a figure adds up."""
    args = _filter_args(drill.target)
    query = {
        f"flt{position}_{args[FILTERS[name]]}": value
        for position, (name, value) in enumerate(_criteria(drill, company_id))
    }
    return url_for(f"{drill.target}.index_view", **query)

"""How values look on screen: money in its currency, plain decimals, timestamps to the minute."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from flask_admin.model import typefmt

from ..services.money import format_amount, format_money, format_plain


def format_timestamp(value: datetime | None) -> str:
    """Timestamps to the minute, in UTC, as stored."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else ""


TYPE_FORMATTERS = typefmt.BASE_FORMATTERS | {
    datetime: lambda view, value, name: format_timestamp(value),
}
EXPORT_TYPE_FORMATTERS = typefmt.EXPORT_FORMATTERS | {
    datetime: lambda view, value, name: value.isoformat(),
}


def format_percent(value: Decimal) -> str:
    """A rate as people write it: 19 %, 7.5 %, never 19.00000000."""
    return f"{format_plain(value)}\u00a0%"


def register_filters(app: Flask) -> None:
    """Make the formatters available to every template."""
    app.jinja_env.filters.update(
        money=format_money,
        amount=format_amount,
        plain=format_plain,
        percent=format_percent,
        timestamp=format_timestamp,
    )


def money_column(view: Any, context: Any, model: Any, name: str) -> str:
    """List/detail formatter for an amount in the row's currency."""
    return format_money(getattr(model, name), model.currency)

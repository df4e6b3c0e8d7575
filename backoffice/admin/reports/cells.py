"""How a report cell reads on screen: money with its currency's decimals and thousands commas."""

from decimal import Decimal

from ...services.money import currency_exponent
from ...services.reports.tables import Cell


def figure(cell: Cell) -> str:
    """The cell's value as shown; money keeps its sign and its ISO 4217 decimals."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, Decimal) and cell.currency:
        return f"{value:,.{currency_exponent(cell.currency)}f}"
    if isinstance(value, int | Decimal):
        return f"{value:,}"
    return str(value)

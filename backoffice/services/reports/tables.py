"""A report as rows and columns: what the screen shows and the CSV and XLSX files hold.

Each cell may name the documents behind it (a Drill): the screen links it to the filtered
invoice or payment list. Money cells keep their Decimal; only the screen formats them.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..money import round_money

Value = str | int | Decimal | date | None


@dataclass(frozen=True)
class Drill:
    """The documents behind a figure, as list filters: None leaves a filter out."""

    target: str = "invoice"  # or "payment"
    customer_id: int | None = None
    currency: str | None = None
    kind: str | None = None
    statuses: tuple[str, ...] = ()
    issued: tuple[date, date] | None = None
    due: tuple[date | None, date | None] | None = None
    paid: tuple[date, date] | None = None
    method: str | None = None
    tax_rate: tuple[Decimal, str] | None = None  # documents with a tax row at this rate


@dataclass(frozen=True)
class Cell:
    value: Value
    drill: Drill | None = None
    currency: str | None = None  # money: formatted with this currency's decimals

    def plain(self) -> Value:
        """The value as exported: money with its currency's decimals (a sum of none is 0)."""
        if isinstance(self.value, Decimal) and self.currency:
            return round_money(self.value, self.currency)
        return self.value


@dataclass(frozen=True)
class Page:
    """Which rows of a long table are shown: page `number` of `size` rows (None: all)."""

    number: int
    size: int | None
    total: int  # rows over every page

    @property
    def last(self) -> int:
        """The last page's number."""
        if not self.size:
            return 1
        return max(1, -(-self.total // self.size))


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    footer: list[list[Cell]] = field(default_factory=list)  # totals, below the rows
    note: str = ""
    page: Page | None = None  # a table paged on screen

    def add(self, *cells: Cell | Value) -> None:
        self.rows.append([c if isinstance(c, Cell) else Cell(c) for c in cells])

    def add_total(self, *cells: Cell | Value) -> None:
        self.footer.append([c if isinstance(c, Cell) else Cell(c) for c in cells])

    def values(self) -> list[list[Value]]:
        """Every row, totals last, as plain values (money in its minor units): the exports."""
        return [[cell.plain() for cell in row] for row in [*self.rows, *self.footer]]

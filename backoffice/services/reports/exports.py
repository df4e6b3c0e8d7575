"""CSV and XLSX files of a report table; text that a spreadsheet would run is neutralised."""

import csv
import io
from datetime import date
from decimal import Decimal

import xlsxwriter

from ..money import currency_exponent
from ..spreadsheets import escape_formula
from .tables import Table, Value


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int):
        return str(value)
    return escape_formula(value)


def to_csv(table: Table) -> str:
    """The table as CSV: a header row, then the rows and the totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(header) for header in table.headers])
    writer.writerows([_text(value) for value in row] for row in table.values())
    return buffer.getvalue()


# Excel holds numbers as binary doubles and shows 15 significant digits: a decimal with at
# most that many reads back exactly. A longer one goes in as text rather than rounded.
EXACT_DIGITS = 15


def _money_format(workbook: xlsxwriter.Workbook, formats: dict, currency: str):
    """The cell format showing a currency's minor units, e.g. #,##0.00 for EUR."""
    exponent = currency_exponent(currency)
    if exponent not in formats:
        decimals = "." + "0" * exponent if exponent else ""
        formats[exponent] = workbook.add_format({"num_format": f"#,##0{decimals}"})
    return formats[exponent]


def _write_money(sheet, row: int, column: int, amount: Decimal, cell_format) -> None:
    if len(amount.as_tuple().digits) <= EXACT_DIGITS:
        # xlsxwriter writes the value with format(value, ".16G"): a Decimal keeps its exact
        # digits in the file, where float(amount) could end in ...0439 for ...044.
        sheet.write_number(row, column, amount, cell_format)
    else:
        sheet.write_string(row, column, str(amount), cell_format)


def to_xlsx(table: Table) -> bytes:
    """The table as an Excel workbook: money as exact numbers shown with its currency's
    decimals, counts as numbers, dates as dates, text never a formula."""
    buffer = io.BytesIO()
    # strings_to_formulas off: text starting with = is stored as text, not evaluated.
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(table.title[:31])
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    money: dict[int, object] = {}
    sheet.write_row(0, 0, [escape_formula(header) for header in table.headers], bold)
    for row_number, row in enumerate([*table.rows, *table.footer], start=1):
        for column, cell in enumerate(row):
            value = cell.plain()  # money rounded to its minor units
            if isinstance(value, Decimal) and cell.currency:
                cell_format = _money_format(workbook, money, cell.currency)
                _write_money(sheet, row_number, column, value, cell_format)
            elif isinstance(value, Decimal | int):
                _write_money(sheet, row_number, column, Decimal(value), None)
            elif isinstance(value, date):
                sheet.write_datetime(row_number, column, value, day)
            elif value is not None:
                sheet.write_string(row_number, column, escape_formula(value))
    sheet.set_column(0, len(table.headers) - 1, 16)
    workbook.close()
    return buffer.getvalue()

"""CSV and XLSX files of a report table; text that a spreadsheet would run is neutralised."""

import csv
import io
from datetime import date
from decimal import Decimal

import xlsxwriter

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


def to_xlsx(table: Table) -> bytes:
    """The table as an Excel workbook: numbers as numbers, dates as dates, text never a formula."""
    buffer = io.BytesIO()
    # strings_to_formulas off: text starting with = is stored as text, not evaluated.
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(table.title[:31])
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [escape_formula(header) for header in table.headers], bold)
    for row_number, row in enumerate(table.values(), start=1):
        for column, value in enumerate(row):
            if isinstance(value, Decimal):
                # Excel holds binary floats; the CSV keeps the exact decimal.
                sheet.write_number(row_number, column, float(value))
            elif isinstance(value, int):
                sheet.write_number(row_number, column, value)
            elif isinstance(value, date):
                sheet.write_datetime(row_number, column, value, day)
            elif value is not None:
                sheet.write_string(row_number, column, escape_formula(value))
    sheet.set_column(0, len(table.headers) - 1, 16)
    workbook.close()
    return buffer.getvalue()

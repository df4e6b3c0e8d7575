"""Bank CSV exports, read through the column mapping saved on the bank account."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from models import BankAccount

from ...errors import DomainError
from .statement import Statement, StatementError, StatementLine, checked, clean_text

DELIMITERS = {";": ";", ",": ",", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}
THOUSANDS = {"", ".", ",", " ", "'"}


@dataclass(frozen=True)
class CsvMapping:
    """Which column holds what; a column is a header's text or a 1-based position."""

    delimiter: str = ";"
    header_rows: int = 1
    date_column: str = ""
    date_format: str = "%d.%m.%Y"
    amount_column: str = ""
    debit_column: str = ""
    credit_column: str = ""
    currency_column: str = ""
    reference_column: str = ""
    text_column: str = ""
    counterparty_column: str = ""
    counterparty_iban_column: str = ""
    decimal_comma: bool = True
    thousands_separator: str = ""

    @classmethod
    def of(cls, account: BankAccount) -> "CsvMapping":
        """The mapping saved on a bank account."""
        return cls(**{name: getattr(account, f"csv_{name}") for name in cls.__dataclass_fields__})


def check_mapping(mapping: CsvMapping) -> None:
    """Refuse a mapping that cannot read a file, naming the setting to fix."""
    if mapping.delimiter not in DELIMITERS:
        raise DomainError("The CSV delimiter is one of ; , | or tab.", "csv_delimiter")
    if mapping.thousands_separator not in THOUSANDS:
        raise DomainError(
            "The thousands separator is empty, a dot, a comma, a space or '.",
            "csv_thousands_separator",
        )
    decimal_mark = "," if mapping.decimal_comma else "."
    if mapping.thousands_separator == decimal_mark:
        raise DomainError(
            "The thousands separator cannot be the decimal mark.", "csv_thousands_separator"
        )
    if not mapping.date_column:
        raise DomainError("Name the CSV column that holds the date.", "csv_date_column")
    try:
        datetime.strptime(date(2026, 12, 31).strftime(mapping.date_format), mapping.date_format)
    except ValueError:
        raise DomainError(
            "The date format is a strftime pattern, e.g. %d.%m.%Y or %Y-%m-%d.", "csv_date_format"
        ) from None
    has_pair = bool(mapping.debit_column and mapping.credit_column)
    if bool(mapping.amount_column) == has_pair:
        raise DomainError(
            "Name either the signed amount column, or both the debit and the credit columns.",
            "csv_amount_column",
        )


def parse_amount(text: str, mapping: CsvMapping, where: str) -> Decimal | None:
    """A bank's amount text as a Decimal (None when the cell is empty).

    Separators must sit where the mapping says: under a decimal-point mapping "1.190,00" is
    refused, never read as 1.19.
    """
    raw = text.strip().replace("\u00a0", " ")
    if not raw:
        return None
    mark = "," if mapping.decimal_comma else "."
    group = re.escape(mapping.thousands_separator)
    digits = rf"\d{{1,3}}(?:{group}\d{{3}})+|\d+" if group else r"\d+"
    if not re.fullmatch(rf"[-+]?(?:{digits})(?:{re.escape(mark)}\d+)?", raw):
        expected = f"1{mapping.thousands_separator}234{mark}56"
        raise StatementError(where, f"{text!r} is not an amount like {expected}.")
    if group:
        raw = raw.replace(mapping.thousands_separator, "")
    return Decimal(raw.replace(mark, "."))


class _Row:
    def __init__(self, cells: list[str], columns: dict[str, int], where: str) -> None:
        self.cells, self.columns, self.where = cells, columns, where

    def get(self, column: str) -> str:
        if not column:
            return ""
        index = self.columns.get(column.casefold())
        if index is None and column.isdigit():
            index = int(column) - 1
        if index is None:
            raise StatementError(self.where, f"there is no column {column!r}.")
        if index >= len(self.cells):
            raise StatementError(self.where, f"the row has no column {column!r}.")
        return self.cells[index].strip()


def _line(row: _Row, mapping: CsvMapping, currency: str) -> StatementLine:
    where = row.where
    date_text = row.get(mapping.date_column)
    try:
        booked = datetime.strptime(date_text, mapping.date_format).date()
    except ValueError:
        raise StatementError(
            where, f"{date_text!r} is not a date like {mapping.date_format}."
        ) from None
    if mapping.amount_column:
        amount = parse_amount(row.get(mapping.amount_column), mapping, where)
    else:
        debit = parse_amount(row.get(mapping.debit_column), mapping, where)
        credit = parse_amount(row.get(mapping.credit_column), mapping, where)
        if debit and credit:
            raise StatementError(where, "both the debit and the credit column hold an amount.")
        amount = credit if credit else (-abs(debit) if debit else None)
    if amount is None:
        raise StatementError(where, "the row has no amount.")
    return checked(
        StatementLine(
            booking_date=booked,
            amount=abs(amount),
            currency=(row.get(mapping.currency_column) or currency).upper(),
            is_credit=amount > 0,
            bank_reference=row.get(mapping.reference_column)[:120],
            remittance_text=clean_text(row.get(mapping.text_column), 2000),
            counterparty_name=clean_text(row.get(mapping.counterparty_column), 200),
            counterparty_iban=row.get(mapping.counterparty_iban_column).replace(" ", "")[:34],
            source=where,
        )
    )


def parse(data: bytes, mapping: CsvMapping, currency: str) -> Statement:
    """Read a CSV export with the account's mapping; any row it cannot read rejects the file."""
    check_mapping(mapping)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Many banks still export Windows-1252.
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[mapping.delimiter])
    columns: dict[str, int] = {}
    statement = Statement(currency=currency)
    try:
        for number, cells in enumerate(reader, start=1):
            if number <= mapping.header_rows:
                # The last header row names the columns.
                columns = {cell.strip().casefold(): i for i, cell in enumerate(cells)}
                continue
            if not any(cell.strip() for cell in cells):
                continue
            line = _line(_Row(cells, columns, f"line {number}"), mapping, currency)
            statement.lines.append(line)
    except csv.Error as exc:
        raise StatementError(f"line {reader.line_num}", f"not valid CSV ({exc}).") from None
    if not statement.lines:
        raise StatementError("line 1", "the file has no rows after its header.")
    return statement

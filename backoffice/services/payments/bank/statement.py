"""What every statement parser returns: one shape, whatever the bank's format."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ...errors import DomainError
from ...money import currency_exponent, is_currency, round_money


class StatementError(DomainError):
    """The file cannot be read as a statement; where names the line or XML path."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}", "file")
        self.where, self.reason = where, reason


@dataclass(frozen=True)
class StatementLine:
    """One booked movement on the account; amount is positive, is_credit gives the direction."""

    booking_date: date
    amount: Decimal
    currency: str
    is_credit: bool
    value_date: date | None = None
    # As the bank gave it; empty when the file carries none (a stable one is derived).
    bank_reference: str = ""
    remittance_text: str = ""
    structured_reference: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""
    # Where the line sits in the file, for messages ("line 12", "Stmt[1]/Ntry[3]").
    source: str = ""


@dataclass
class Statement:
    """A parsed file: the account it belongs to (when the format says) and its lines."""

    iban: str = ""
    currency: str = ""
    lines: list[StatementLine] = field(default_factory=list)


# What a stored line can hold: the columns' sizes (models/bank.py) and the money type.
MAX_AMOUNT = Decimal("1e15")


def checked(line: StatementLine) -> StatementLine:
    """Refuse a line the books cannot hold, naming where it is in the file."""
    if not is_currency(line.currency):
        raise StatementError(line.source, f"{line.currency or 'no currency'} is not a currency.")
    if not 0 < line.amount < MAX_AMOUNT:
        raise StatementError(line.source, f"the amount {line.amount} is not a positive amount.")
    if round_money(line.amount, line.currency) != line.amount:
        raise StatementError(
            line.source,
            f"{line.amount} has more decimals than {line.currency} has "
            f"({currency_exponent(line.currency)}).",
        )
    return line


def clean_text(text: str | None, limit: int) -> str:
    """Collapse whitespace (statements wrap text at fixed widths) and cut to the column's size."""
    return " ".join((text or "").split())[:limit]

"""Bank accounts: IBANs checked with python-stdnum, one account per company and IBAN."""

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import iban as iban_numbers
from stdnum.exceptions import ValidationError

from models import BankAccount

from ...errors import DomainError
from ...money import require_currency
from .csv_parser import CsvMapping, check_mapping


def checked_iban(text: str) -> str:
    """The IBAN compact and upper-cased, or a clear refusal naming what is wrong."""
    compact = iban_numbers.compact(text or "")
    try:
        return iban_numbers.validate(compact)
    except ValidationError as exc:
        raise DomainError(f"{text!r} is not a valid IBAN ({exc.message}).", "iban") from None


def check_account(account: BankAccount) -> None:
    """Check a bank account before it is saved: IBAN, currency and any CSV mapping."""
    account.iban = checked_iban(account.iban)
    account.currency = require_currency(account.currency or "")
    if not (account.name or "").strip():
        raise DomainError("Give the account a name.", "name")
    mapping = CsvMapping.of(account)
    if mapping.date_column or mapping.amount_column or mapping.debit_column:
        check_mapping(mapping)


def find_account(session: Session, company_id: int, iban: str) -> BankAccount | None:
    """The company's account with this IBAN, however it was typed."""
    compact = iban_numbers.compact(iban or "")
    return session.scalars(
        select(BankAccount).where(BankAccount.company_id == company_id, BankAccount.iban == compact)
    ).one_or_none()

"""SWIFT MT940 statements, read by the mt-940 package (with all its fixes switched on)."""

import re
from datetime import date

import mt940

from .statement import Statement, StatementError, StatementLine, checked, clean_text

# Banks put the payer's reference in :86: free text or in its ?20..?29 sub-fields.
NONREF = "NONREF"


def _line_number(text: str, value: str) -> int:
    """The line of the file where a tag's value begins (the library only gives the value)."""
    first = value.strip().splitlines()[0] if value.strip() else ""
    for number, line in enumerate(text.splitlines(), start=1):
        if first and first in line:
            return number
    return 0


def _tag_lines(text: str) -> list[int]:
    """The line number of every :61: tag, in order: transaction n sits at the n-th."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(":61:")]


def _as_date(value: object) -> date | None:
    return date(value.year, value.month, value.day) if value else None  # type: ignore[attr-defined]


def parse(data: bytes) -> Statement:
    """Read an MT940 file; a tag it cannot read rejects the whole file."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    if ":20:" not in text or ":61:" not in text and ":60F:" not in text:
        raise StatementError("line 1", "not an MT940 statement (no :20: and :60F: tags).")
    try:
        transactions = mt940.parse(text, options=mt940.Options.all())
    except RuntimeError as exc:
        value = exc.args[2] if len(exc.args) > 2 else ""
        tag = getattr(exc.args[1], "id", "?") if len(exc.args) > 1 else "?"
        line = _line_number(text, str(value))
        raise StatementError(f"line {line}", f"tag :{tag}: cannot be read: {value!r}.") from None
    except (ValueError, KeyError, IndexError) as exc:
        raise StatementError("line ?", f"not a readable MT940 statement ({exc}).") from None
    statement = Statement(
        iban=str(transactions.data.get("account_identification", "")).replace(" ", "").upper()
    )
    opening = transactions.data.get("final_opening_balance")
    statement.currency = getattr(getattr(opening, "amount", None), "currency", "") or ""
    starts = _tag_lines(text)
    for index, transaction in enumerate(transactions):
        found = transaction.data
        where = f"line {starts[index]}" if index < len(starts) else f"transaction {index + 1}"
        amount = found.get("amount")
        if amount is None or found.get("date") is None:
            raise StatementError(where, "the :61: line has no amount or no date.")
        bank_reference = str(found.get("bank_reference") or "").strip()
        customer_reference = str(found.get("customer_reference") or "").strip()
        purpose = found.get("purpose") or found.get("transaction_details") or ""
        structured = "" if customer_reference.upper() == NONREF else customer_reference
        statement.lines.append(
            checked(
                StatementLine(
                    booking_date=_as_date(found.get("entry_date") or found.get("date")),
                    value_date=_as_date(found.get("date")),
                    amount=abs(amount.amount),
                    currency=str(amount.currency or statement.currency).upper(),
                    # Signed by the library: D and RC (a reversed credit) are money out.
                    is_credit=amount.amount > 0,
                    bank_reference=re.sub(r"\s+", "", bank_reference)[:120],
                    remittance_text=clean_text(purpose, 2000),
                    structured_reference=clean_text(structured, 140),
                    counterparty_name=clean_text(found.get("applicant_name"), 200),
                    counterparty_iban=str(found.get("applicant_iban") or "").replace(" ", "")[:34],
                    source=where,
                )
            )
        )
    return statement

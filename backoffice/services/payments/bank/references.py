"""References: our invoices' ISO 11649 creditor reference, and stable keys for bank lines."""

import hashlib
from collections import Counter
from collections.abc import Iterable

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from .statement import StatementLine


def creditor_reference(invoice_id: int) -> str:
    """The invoice's RF creditor reference (ISO 11649), from its id: unique, never reused."""
    # Zero-padded so it reads like a reference, not a small number lost in the text.
    body = f"{invoice_id:010d}"
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def printed_creditor_reference(invoice_id: int) -> str:
    """The RF reference in groups of four, as banks ask people to type it."""
    return iso11649.format(creditor_reference(invoice_id))


def invoice_id_of(reference: str) -> int | None:
    """The invoice id a valid RF reference of ours carries; None for anything else."""
    compact = iso11649.compact(reference or "")
    if not compact.startswith("RF") or not iso11649.is_valid(compact):
        return None
    body = compact[4:]
    return int(body) if body.isdigit() and len(body) == 10 else None


def _words(text: str) -> str:
    return " ".join(text.upper().split())


def _fingerprint(line: StatementLine) -> str:
    # The payer belongs to it: two payers sending the same amount with the same words on one
    # day, in two files, are two payments (migration 0026 rewrote the keys derived before).
    direction = "C" if line.is_credit else "D"
    amount = format(line.amount.normalize(), "f")  # 119.00 and 119 are one amount
    payer = f"{_words(line.counterparty_name)}|{line.counterparty_iban.replace(' ', '').upper()}"
    return (
        f"{line.booking_date}|{direction}{amount}|{line.currency}"
        f"|{_words(line.remittance_text)}|{payer}"
    )


def bank_references(lines: Iterable[StatementLine]) -> list[str]:
    """Each line's reference: the bank's own, else one derived from what the line says.

    Derived ones count identical lines in the file (two equal transfers on one day are two
    lines), so importing the same file again yields the same references.
    """
    seen: Counter[str] = Counter()
    result = []
    for line in lines:
        if line.bank_reference:
            result.append(line.bank_reference)
            continue
        fingerprint = _fingerprint(line)
        occurrence = seen[fingerprint]
        seen[fingerprint] += 1
        digest = hashlib.sha256(f"{fingerprint}|{occurrence}".encode()).hexdigest()[:32]
        result.append(f"derived:{digest}")
    return result

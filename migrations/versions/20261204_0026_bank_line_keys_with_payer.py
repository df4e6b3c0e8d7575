"""Bank lines without a bank reference: derive their key with the payer's name and IBAN

A line the bank gives no reference is known by what it says. Without the payer, a transfer
from Bob that read like Alice's (same day, amount and words) in a later file was taken for
hers and dropped as "already known". This rewrites the keys of the lines already imported
as services/payments/bank/references.py now derives them, so importing an old file again
still finds its lines. Lines with equal keys in one account are numbered in import order,
as one file numbers its equal lines.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 17:30:00
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import iso4217
import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = "derived:"


def _words(text: str) -> str:
    return " ".join((text or "").upper().split())


def _with_payer(row: Any) -> str:
    direction = "C" if row.is_credit else "D"
    amount = format(row.amount.normalize(), "f")
    iban = (row.counterparty_iban or "").replace(" ", "").upper()
    return (
        f"{row.booking_date}|{direction}{amount}|{row.currency}"
        f"|{_words(row.remittance_text)}|{_words(row.counterparty_name)}|{iban}"
    )


def _without_payer(row: Any) -> str:
    # The key before 0026 carried the amount as the file wrote it, which the row no longer
    # knows: files write it in the currency's minor units (119.00, not the column's 119.000).
    direction = "C" if row.is_credit else "D"
    amount = row.amount.quantize(Decimal(1).scaleb(-_minor_units(row.currency)))
    return f"{row.booking_date}|{direction}{amount}|{row.currency}|{_words(row.remittance_text)}"


def _minor_units(currency: str) -> int:
    return next((each.exponent or 0 for each in iso4217.Currency if each.code == currency), 0)


def _rekey(fingerprint: Callable[[Any], str]) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, bank_account_id, booking_date, amount, currency, is_credit,"
            " remittance_text, counterparty_name, counterparty_iban FROM bank_transactions"
            " WHERE bank_reference LIKE :prefix ORDER BY id"
        ),
        {"prefix": PREFIX + "%"},
    ).all()
    seen: Counter[tuple[int, str]] = Counter()
    for row in rows:
        key = (row.bank_account_id, fingerprint(row))
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256(f"{key[1]}|{occurrence}".encode()).hexdigest()[:32]
        bind.execute(
            sa.text("UPDATE bank_transactions SET bank_reference = :ref WHERE id = :id"),
            {"ref": PREFIX + digest, "id": row.id},
        )


def upgrade() -> None:
    _rekey(_with_payer)


def downgrade() -> None:
    _rekey(_without_payer)

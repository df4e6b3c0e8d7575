"""Map a clearing account to the customer_credit payment method

0020 added the method to payments but not to the accounting mappings, whose check still
refused it: a credit application reaches the books as a payment from the clearing account
mapped to customer_credit (services/sync/amounts.py).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "accounting_payment_accounts"
NAME = "ck_accounting_payment_accounts_method"
OLD_METHODS = "method IN ('bank_transfer', 'card', 'cash', 'direct_debit', 'other')"
NEW_METHODS = (
    "method IN ('bank_transfer', 'card', 'cash', 'direct_debit', 'other', 'customer_credit')"
)


def upgrade() -> None:
    op.drop_constraint(op.f(NAME), TABLE, type_="check")
    op.create_check_constraint(op.f(NAME), TABLE, NEW_METHODS)


def downgrade() -> None:
    op.execute(f"DELETE FROM {TABLE} WHERE method = 'customer_credit'")
    op.drop_constraint(op.f(NAME), TABLE, type_="check")
    op.create_check_constraint(op.f(NAME), TABLE, OLD_METHODS)

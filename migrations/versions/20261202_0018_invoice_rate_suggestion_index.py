"""Index issued invoices by company, currency and issue time, for the suggested exchange rate

A foreign-currency draft's form suggests the rate of the company's latest invoice in that
currency; without this index the newest-first scan of every issued invoice reads the whole
table when the company never invoiced in that currency.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_invoices_company_currency_issued",
        "invoices",
        ["company_id", "currency", "issued_at"],
        postgresql_where=sa.text("kind = 'invoice' AND issued_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_company_currency_issued", table_name="invoices")

"""Index open invoices by due date with their amounts, for the home page's overdue count

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_invoices_open_due",
        "invoices",
        ["company_id", "due_date"],
        postgresql_include=["total_amount", "paid_amount", "credited_amount"],
        postgresql_where=sa.text(
            "kind = 'invoice' AND status IN ('issued', 'partially_paid', 'sent')"
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_open_due", table_name="invoices")

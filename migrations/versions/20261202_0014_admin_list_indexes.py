"""Index the invoice list's default order and sort by total for admins, who see every company

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_invoices_issue_date", "invoices", ["issue_date", "id"])
    op.create_index("ix_invoices_total", "invoices", ["total_amount", "id"])


def downgrade() -> None:
    op.drop_index("ix_invoices_total", table_name="invoices")
    op.drop_index("ix_invoices_issue_date", table_name="invoices")

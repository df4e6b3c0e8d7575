"""Index invoices by issue time, for the relay's question about recent documents

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_invoices_issued_at",
        "invoices",
        ["issued_at"],
        postgresql_where=sa.text("issued_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_issued_at", table_name="invoices")

"""Four eyes on credit notes above the company's threshold: who approved which version

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("approved_by_id", sa.Integer(), nullable=True))
    op.add_column("invoices", sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("invoices", sa.Column("approved_version", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_invoices_approved_by_id_users"), "invoices", "users", ["approved_by_id"], ["id"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_invoices_approved_by_id_users"), "invoices", type_="foreignkey")
    op.drop_column("invoices", "approved_version")
    op.drop_column("invoices", "approved_at")
    op.drop_column("invoices", "approved_by_id")

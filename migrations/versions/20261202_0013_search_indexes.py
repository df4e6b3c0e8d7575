"""Search indexes: pg_trgm for fragments, a C-collation btree for invoice number prefixes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_COLUMNS = (
    ("customers", "name"),
    ("customers", "vat_id"),
    ("customers", "email"),
    ("invoices", "po_reference"),
    ("payments", "reference"),
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in TRIGRAM_COLUMNS:
        op.create_index(
            f"ix_{table}_{column}_trgm",
            table,
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    # Under any collation but C a btree does not serve LIKE 'x%' (and the unique
    # (company_id, reference) index leads with the company). Numbers are codes: byte order.
    op.alter_column(
        "invoices",
        "reference",
        type_=sa.String(length=40, collation="C"),
        existing_type=sa.String(length=40),
        existing_nullable=True,
    )
    op.create_index(
        "ix_invoices_reference_search",
        "invoices",
        [sa.text("upper(reference::text)")],
        postgresql_where=sa.text("reference IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_reference_search", table_name="invoices")
    op.alter_column(
        "invoices",
        "reference",
        type_=sa.String(length=40),
        existing_type=sa.String(length=40, collation="C"),
        existing_nullable=True,
    )
    for table, column in TRIGRAM_COLUMNS:
        op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")

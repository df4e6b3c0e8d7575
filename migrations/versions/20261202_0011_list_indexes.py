"""Index the invoice and payment lists' default orders, date filters, total sort and status counts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_invoices_company_issue_date": ("invoices", ["company_id", "issue_date", "id"]),
    "ix_invoices_company_total": ("invoices", ["company_id", "total_amount", "id"]),
    "ix_invoices_company_kind_status": ("invoices", ["company_id", "kind", "status"]),
    "ix_payments_payment_date": ("payments", ["payment_date", "id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)

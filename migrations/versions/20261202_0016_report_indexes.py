"""Index the reports' aggregates so they read indexes alone

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 17:00:00

Revenue, tax, DSO and top customers sum a company's issued documents by issue date: the new
index carries what they add up. Aging and the dashboard sum open balances by customer and
currency: the open-invoice index now carries those too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_INVOICES = "kind = 'invoice' AND status IN ('issued', 'partially_paid', 'sent')"
OPEN_AMOUNTS = ["total_amount", "paid_amount", "credited_amount"]


def upgrade() -> None:
    op.create_index(
        "ix_invoices_company_issued_figures",
        "invoices",
        ["company_id", "issue_date"],
        postgresql_include=[
            "status",
            "kind",
            "customer_id",
            "exchange_rate",
            "net_amount",
            "total_amount",
        ],
    )
    _open_due([*OPEN_AMOUNTS, "customer_id", "currency", "exchange_rate", "issue_date"])


def downgrade() -> None:
    _open_due(OPEN_AMOUNTS)
    op.drop_index("ix_invoices_company_issued_figures", table_name="invoices")


def _open_due(include: list[str]) -> None:
    op.drop_index("ix_invoices_open_due", table_name="invoices")
    op.create_index(
        "ix_invoices_open_due",
        "invoices",
        ["company_id", "due_date"],
        postgresql_include=include,
        postgresql_where=sa.text(OPEN_INVOICES),
    )

"""E-invoices: documents of several kinds per invoice, a format per customer, BT-30

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("companies", sa.Column("registration_id", sa.String(length=40), nullable=True))
    op.add_column(
        "stored_documents",
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="pdf"),
    )
    op.alter_column("stored_documents", "kind", server_default=None)
    op.create_check_constraint(
        op.f("ck_stored_documents_kind"), "stored_documents", "kind IN ('pdf', 'facturx', 'ubl')"
    )
    op.drop_constraint(
        op.f("uq_stored_documents_invoice_id_content_version"), "stored_documents", type_="unique"
    )
    op.create_unique_constraint(
        op.f("uq_stored_documents_invoice_id_kind_content_version"),
        "stored_documents",
        ["invoice_id", "kind", "content_version"],
    )
    op.add_column(
        "customers",
        sa.Column("einvoice_format", sa.String(length=10), nullable=False, server_default="none"),
    )
    op.alter_column("customers", "einvoice_format", server_default=None)
    op.create_check_constraint(
        op.f("ck_customers_einvoice_format"),
        "customers",
        "einvoice_format IN ('none', 'facturx', 'ubl')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_customers_einvoice_format"), "customers", type_="check")
    op.drop_column("customers", "einvoice_format")
    op.execute("DELETE FROM stored_documents WHERE kind <> 'pdf'")
    op.drop_constraint(
        op.f("uq_stored_documents_invoice_id_kind_content_version"),
        "stored_documents",
        type_="unique",
    )
    op.create_unique_constraint(
        op.f("uq_stored_documents_invoice_id_content_version"),
        "stored_documents",
        ["invoice_id", "content_version"],
    )
    op.drop_constraint(op.f("ck_stored_documents_kind"), "stored_documents", type_="check")
    op.drop_column("stored_documents", "kind")
    op.drop_column("companies", "registration_id")

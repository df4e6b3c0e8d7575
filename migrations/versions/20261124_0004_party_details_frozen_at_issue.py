"""Keep the seller's and buyer's details with an issued invoice, frozen like its content

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT = (
    "company_id, customer_id, kind, series_id, number, reference, issue_date, due_date, "
    "currency, exchange_rate, po_reference, notes, terms, original_invoice_id, "
    "net_amount, tax_amount, total_amount, issued_at"
)


def _guard(columns: str) -> str:
    """The trigger function of 0002, refusing changes to the given columns after issue."""
    old = ", ".join(f"OLD.{c.strip()}" for c in columns.split(","))
    new = ", ".join(f"NEW.{c.strip()}" for c in columns.split(","))
    return f"""
        CREATE OR REPLACE FUNCTION invoices_guard_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.status <> 'draft' THEN
                    RAISE EXCEPTION 'invoice % is issued and cannot be deleted', OLD.reference
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN OLD;
            END IF;
            IF OLD.status <> 'draft' AND (
                NEW.status = 'draft'
                OR (OLD.status = 'void' AND NEW.status <> 'void')
                OR ({new}) IS DISTINCT FROM ({old})
            ) THEN
                RAISE EXCEPTION 'invoice % is issued: its content is frozen', OLD.reference
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$;
    """


def upgrade() -> None:
    op.add_column("invoices", sa.Column("seller_details", postgresql.JSONB(), nullable=True))
    op.add_column("invoices", sa.Column("buyer_details", postgresql.JSONB(), nullable=True))
    op.execute(_guard(CONTENT + ", seller_details, buyer_details"))


def downgrade() -> None:
    op.execute(_guard(CONTENT))
    op.drop_column("invoices", "buyer_details")
    op.drop_column("invoices", "seller_details")

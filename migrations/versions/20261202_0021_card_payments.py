"""Card payments through Stripe: a company switch, checkout pages, processed webhook events

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = "'booked', 'already_booked', 'ignored', 'needs_attention'"


def upgrade() -> None:
    op.add_column(
        "companies",
        sa.Column(
            "is_card_payment_enabled", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.alter_column("companies", "is_card_payment_enabled", server_default=None)
    op.create_table(
        "checkout_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("stripe_session_id", sa.String(255), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(18, 3), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_checkout_sessions_amount_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_checkout_sessions_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_sessions")),
        sa.UniqueConstraint(
            "stripe_session_id", name=op.f("uq_checkout_sessions_stripe_session_id")
        ),
    )
    op.create_index(
        "ix_checkout_sessions_invoice", "checkout_sessions", ["invoice_id", "created_at"]
    )
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_stripe_events_outcome")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_stripe_events_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_stripe_events_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_stripe_events_event_id")),
    )
    op.create_index("ix_stripe_events_received_at", "stripe_events", ["received_at", "id"])
    op.create_index(
        "ix_stripe_events_company", "stripe_events", ["company_id", "received_at", "id"]
    )


def downgrade() -> None:
    op.drop_table("stripe_events")
    op.drop_table("checkout_sessions")
    op.drop_column("companies", "is_card_payment_enabled")

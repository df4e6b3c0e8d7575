"""Bulk runs over many invoices (issue, send, ZIP of PDFs) and their per-invoice outcomes

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "'issue', 'send', 'zip', 'send_unsent'"
STATES = "'queued', 'running', 'finished', 'cancelled', 'stopped'"
ITEM_STATES = "'pending', 'done', 'skipped', 'failed'"


def upgrade() -> None:
    op.create_table(
        "bulk_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("done_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("archive_key", sa.String(300), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_bulk_runs_kind")),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_bulk_runs_state")),
        sa.CheckConstraint(
            "done_count >= 0 AND failed_count >= 0 AND done_count + failed_count <= total_count",
            name=op.f("ck_bulk_runs_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_bulk_runs_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_bulk_runs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"], ["users.id"], name=op.f("fk_bulk_runs_cancelled_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_runs")),
    )
    op.create_index("ix_bulk_runs_company_created", "bulk_runs", ["company_id", "created_at", "id"])
    op.create_index("ix_bulk_runs_created", "bulk_runs", ["created_at", "id"])
    op.create_index(
        "ix_bulk_runs_active",
        "bulk_runs",
        ["created_at"],
        postgresql_where=sa.text("state IN ('queued', 'running')"),
    )
    op.create_table(
        "bulk_run_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"state IN ({ITEM_STATES})", name=op.f("ck_bulk_run_items_state")),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["bulk_runs.id"],
            name=op.f("fk_bulk_run_items_run_id_bulk_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_bulk_run_items_invoice_id_invoices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_run_items")),
        sa.UniqueConstraint(
            "run_id", "invoice_id", name=op.f("uq_bulk_run_items_run_id_invoice_id")
        ),
    )
    op.create_index(
        "ix_bulk_run_items_run_state", "bulk_run_items", ["run_id", "state", "position"]
    )
    op.create_index("ix_bulk_run_items_invoice", "bulk_run_items", ["invoice_id"])


def downgrade() -> None:
    op.drop_table("bulk_run_items")
    op.drop_table("bulk_runs")

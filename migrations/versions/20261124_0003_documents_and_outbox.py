"""Stored invoice documents and the email outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 23:35:32.487922
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("unique_key", sa.String(length=120), nullable=False),
        sa.Column("recipients", sa.String(length=1000), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("attach_invoice_pdf", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('invoice', 'credit_note', 'reminder')",
            name=op.f("ck_email_messages_purpose"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed')",
            name=op.f("ck_email_messages_status"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_email_messages_attempts_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_email_messages_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_email_messages_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_email_messages_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_messages")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_email_messages_unique_key")),
    )
    op.create_index("ix_email_messages_invoice", "email_messages", ["invoice_id"], unique=False)
    op.create_index("ix_email_messages_status", "email_messages", ["status"], unique=False)
    op.create_table(
        "stored_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("content_version", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("char_length(sha256) = 64", name=op.f("ck_stored_documents_sha256_hex")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_stored_documents_size_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_stored_documents_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_documents")),
        sa.UniqueConstraint(
            "invoice_id",
            "content_version",
            name=op.f("uq_stored_documents_invoice_id_content_version"),
        ),
        sa.UniqueConstraint("storage_key", name=op.f("uq_stored_documents_storage_key")),
    )


def downgrade() -> None:
    op.drop_table("stored_documents")
    op.drop_index("ix_email_messages_status", table_name="email_messages")
    op.drop_index("ix_email_messages_invoice", table_name="email_messages")
    op.drop_table("email_messages")

"""Accounting sync: provider connections (secrets sealed), mappings and sync records

Connections keep OAuth secrets and tokens only as Fernet tokens (SYNC_ENCRYPTION_KEY lives in
the settings, never in the database). One sync record per local record and provider says
what was pushed and how the last push went.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 16:34:02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounting_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret_sealed", sa.Text(), nullable=False),
        sa.Column("access_token_sealed", sa.Text(), nullable=True),
        sa.Column("refresh_token_sealed", sa.Text(), nullable=True),
        sa.Column("access_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "provider IN ('xero', 'quickbooks', 'myob')",
            name=op.f("ck_accounting_connections_provider"),
        ),
        sa.CheckConstraint(
            "status IN ('connected', 'disconnected', 'needs_reconnect')",
            name=op.f("ck_accounting_connections_status"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_accounting_connections_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_connections")),
        sa.UniqueConstraint(
            "company_id", "provider", name=op.f("uq_accounting_connections_company_id_provider")
        ),
    )
    op.create_table(
        "accounting_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("sales_account_code", sa.String(length=50), nullable=False),
        sa.CheckConstraint(
            "provider IN ('xero', 'quickbooks', 'myob')",
            name=op.f("ck_accounting_mappings_provider"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_accounting_mappings_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_mappings")),
        sa.UniqueConstraint(
            "company_id", "provider", name=op.f("uq_accounting_mappings_company_id_provider")
        ),
    )
    op.create_table(
        "sync_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=True),
        sa.Column("remote_version", sa.String(length=40), nullable=True),
        sa.Column("pushed_digest", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("is_in_doubt", sa.Boolean(), nullable=False),
        sa.Column("request_count", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_payload", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "provider IN ('xero', 'quickbooks', 'myob')", name=op.f("ck_sync_records_provider")
        ),
        sa.CheckConstraint(
            "record_type IN ('customer', 'invoice', 'credit_note', 'allocation', 'payment')",
            name=op.f("ck_sync_records_record_type"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'synced', 'failed', 'conflict')",
            name=op.f("ck_sync_records_status"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_sync_records_attempts_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_sync_records_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_records")),
        sa.UniqueConstraint(
            "company_id",
            "record_type",
            "record_id",
            "provider",
            name=op.f("uq_sync_records_company_id_record_type_record_id_provider"),
        ),
    )
    op.create_index(
        "ix_sync_records_company_status",
        "sync_records",
        ["company_id", "status", "updated_at"],
        unique=False,
    )
    op.create_index(
        "ix_sync_records_pending",
        "sync_records",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "accounting_payment_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mapping_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("account_code", sa.String(length=50), nullable=False),
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'card', 'cash', 'direct_debit', 'other')",
            name=op.f("ck_accounting_payment_accounts_method"),
        ),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["accounting_mappings.id"],
            name=op.f("fk_accounting_payment_accounts_mapping_id_accounting_mappings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_payment_accounts")),
        sa.UniqueConstraint(
            "mapping_id", "method", name=op.f("uq_accounting_payment_accounts_mapping_id_method")
        ),
    )
    op.create_table(
        "accounting_tax_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mapping_id", sa.Integer(), nullable=False),
        sa.Column("tax_rate_id", sa.Integer(), nullable=False),
        sa.Column("tax_type", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["accounting_mappings.id"],
            name=op.f("fk_accounting_tax_types_mapping_id_accounting_mappings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tax_rate_id"],
            ["tax_rates.id"],
            name=op.f("fk_accounting_tax_types_tax_rate_id_tax_rates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_tax_types")),
        sa.UniqueConstraint(
            "mapping_id", "tax_rate_id", name=op.f("uq_accounting_tax_types_mapping_id_tax_rate_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("accounting_tax_types")
    op.drop_table("accounting_payment_accounts")
    op.drop_index(
        "ix_sync_records_pending",
        table_name="sync_records",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index("ix_sync_records_company_status", table_name="sync_records")
    op.drop_table("sync_records")
    op.drop_table("accounting_mappings")
    op.drop_table("accounting_connections")

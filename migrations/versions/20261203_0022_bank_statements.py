"""Bank statement import: bank accounts with their CSV mapping, lines, match proposals

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("csv_delimiter", sa.String(length=5), nullable=False),
        sa.Column("csv_header_rows", sa.Integer(), nullable=False),
        sa.Column("csv_date_column", sa.String(length=100), nullable=False),
        sa.Column("csv_date_format", sa.String(length=30), nullable=False),
        sa.Column("csv_amount_column", sa.String(length=100), nullable=False),
        sa.Column("csv_debit_column", sa.String(length=100), nullable=False),
        sa.Column("csv_credit_column", sa.String(length=100), nullable=False),
        sa.Column("csv_currency_column", sa.String(length=100), nullable=False),
        sa.Column("csv_reference_column", sa.String(length=100), nullable=False),
        sa.Column("csv_text_column", sa.String(length=100), nullable=False),
        sa.Column("csv_counterparty_column", sa.String(length=100), nullable=False),
        sa.Column("csv_counterparty_iban_column", sa.String(length=100), nullable=False),
        sa.Column("csv_decimal_comma", sa.Boolean(), nullable=False),
        sa.Column("csv_thousands_separator", sa.String(length=1), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("char_length(currency) = 3", name=op.f("ck_bank_accounts_currency_iso")),
        sa.CheckConstraint(
            "csv_header_rows BETWEEN 0 AND 50", name=op.f("ck_bank_accounts_csv_header_rows_range")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_bank_accounts_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("company_id", "iban", name=op.f("uq_bank_accounts_company_id_iban")),
    )
    op.create_table(
        "bank_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_account_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("bank_reference", sa.String(length=120), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("is_credit", sa.Boolean(), nullable=False),
        sa.Column("remittance_text", sa.Text(), nullable=False),
        sa.Column("structured_reference", sa.String(length=140), nullable=False),
        sa.Column("counterparty_name", sa.String(length=200), nullable=False),
        sa.Column("counterparty_iban", sa.String(length=34), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("ignore_reason", sa.String(length=500), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state <> 'ignored' OR ignore_reason <> ''",
            name=op.f("ck_bank_transactions_ignored_has_reason"),
        ),
        sa.CheckConstraint(
            "state IN ('unmatched', 'proposed', 'booked', 'ignored')",
            name=op.f("ck_bank_transactions_state"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_bank_transactions_amount_positive")),
        sa.CheckConstraint(
            "char_length(currency) = 3", name=op.f("ck_bank_transactions_currency_iso")
        ),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_bank_transactions_bank_account_id_bank_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_bank_transactions_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_bank_transactions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_bank_transactions_imported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_transactions")),
        sa.UniqueConstraint(
            "bank_account_id",
            "bank_reference",
            name=op.f("uq_bank_transactions_bank_account_id_bank_reference"),
        ),
    )
    op.create_index(
        "ix_bank_transactions_company_state_date",
        "bank_transactions",
        ["company_id", "state", "booking_date"],
        unique=False,
    )
    op.create_index(
        "ix_bank_transactions_counterparty_iban",
        "bank_transactions",
        ["company_id", "counterparty_iban"],
        unique=False,
    )
    op.create_index(
        "ix_bank_transactions_state_date",
        "bank_transactions",
        ["state", "booking_date"],
        unique=False,
    )
    op.create_table(
        "bank_match_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "confidence IN ('exact', 'probable')", name=op.f("ck_bank_match_proposals_confidence")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["bank_transactions.id"],
            name=op.f("fk_bank_match_proposals_transaction_id_bank_transactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_match_proposals")),
    )
    op.create_index(
        "ix_bank_match_proposals_transaction",
        "bank_match_proposals",
        ["transaction_id"],
        unique=False,
    )
    op.create_table(
        "bank_match_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_bank_match_allocations_amount_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_bank_match_allocations_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["bank_match_proposals.id"],
            name=op.f("fk_bank_match_allocations_proposal_id_bank_match_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_match_allocations")),
    )
    op.create_index(
        "ix_bank_match_allocations_proposal",
        "bank_match_allocations",
        ["proposal_id"],
        unique=False,
    )
    op.create_table(
        "bank_transaction_payments",
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_bank_transaction_payments_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["bank_transactions.id"],
            name=op.f("fk_bank_transaction_payments_transaction_id_bank_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_bank_transaction_payments")),
    )
    op.create_index(
        "ix_bank_transaction_payments_transaction",
        "bank_transaction_payments",
        ["transaction_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_bank_transaction_payments_transaction", table_name="bank_transaction_payments"
    )
    op.drop_table("bank_transaction_payments")
    op.drop_index("ix_bank_match_allocations_proposal", table_name="bank_match_allocations")
    op.drop_table("bank_match_allocations")
    op.drop_index("ix_bank_match_proposals_transaction", table_name="bank_match_proposals")
    op.drop_table("bank_match_proposals")
    op.drop_index("ix_bank_transactions_state_date", table_name="bank_transactions")
    op.drop_index("ix_bank_transactions_counterparty_iban", table_name="bank_transactions")
    op.drop_index("ix_bank_transactions_company_state_date", table_name="bank_transactions")
    op.drop_table("bank_transactions")
    op.drop_table("bank_accounts")

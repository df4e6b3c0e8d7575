"""Customer credit ledger, payment reversals, and the payment list's company and filter indexes

A payment or refund is reversed by a payment of the opposite amount that points at it
(payments.reverses_id, unique: once only) with a reason. Money beyond what a customer owes
moves to customer_credit_entries through a payment of method customer_credit on the invoice.

Payments carry their invoice's company, so the list pages and filters within a company on
an index of its own.

Invoices already paid and credited beyond their total (the "refund due" of before) get the
same treatment here: the excess moves to customer credit, leaving a balance of zero.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_METHODS = "method IN ('bank_transfer', 'card', 'cash', 'direct_debit', 'other')"
NEW_METHODS = (
    "method IN ('bank_transfer', 'card', 'cash', 'direct_debit', 'other', 'customer_credit')"
)
OPEN = "('issued', 'sent', 'partially_paid', 'paid')"
PAYMENT_LIST_INDEXES = {
    "ix_payments_company_date": ["company_id", "payment_date", "id"],
    "ix_payments_company_method_date": ["company_id", "method", "payment_date", "id"],
    "ix_payments_company_source_date": ["company_id", "source", "payment_date", "id"],
    "ix_payments_method_date": ["method", "payment_date", "id"],
    "ix_payments_source_date": ["source", "payment_date", "id"],
}


def _payments_carry_their_company() -> None:
    # The list scoped to a company joined every payment to its invoice: a filter matching
    # few of the company's payments walked most of the table (2 s at 1M payments).
    op.add_column("payments", sa.Column("company_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE payments SET company_id = invoices.company_id "
        "FROM invoices WHERE invoices.id = payments.invoice_id"
    )
    op.alter_column("payments", "company_id", nullable=False)
    op.create_foreign_key(
        op.f("fk_payments_company_id_companies"),
        "payments",
        "companies",
        ["company_id"],
        ["id"],
        ondelete="RESTRICT",
    )


def upgrade() -> None:
    _payments_carry_their_company()
    op.drop_constraint(op.f("ck_payments_method"), "payments", type_="check")
    op.create_check_constraint(op.f("ck_payments_method"), "payments", NEW_METHODS)
    op.add_column("payments", sa.Column("reverses_id", sa.Integer(), nullable=True))
    op.add_column(
        "payments", sa.Column("reason", sa.String(500), nullable=False, server_default="")
    )
    op.alter_column("payments", "reason", server_default=None)
    op.create_foreign_key(
        op.f("fk_payments_reverses_id_payments"),
        "payments",
        "payments",
        ["reverses_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_unique_constraint(op.f("uq_payments_reverses_id"), "payments", ["reverses_id"])
    op.create_check_constraint(
        op.f("ck_payments_reversal_has_reason"), "payments", "reverses_id IS NULL OR reason <> ''"
    )
    for name, columns in PAYMENT_LIST_INDEXES.items():
        op.create_index(name, "payments", columns)

    op.create_table(
        "customer_credit_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.Numeric(18, 3), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_credit_entries")),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_customer_credit_entries_amount_nonzero")),
        sa.CheckConstraint(
            "char_length(currency) = 3", name=op.f("ck_customer_credit_entries_currency_iso")
        ),
        sa.CheckConstraint(
            "kind IN ('overpayment', 'credit_note', 'applied', 'refunded', 'reversal')",
            name=op.f("ck_customer_credit_entries_kind"),
        ),
        sa.CheckConstraint(
            "(kind = 'refunded') = (payment_id IS NULL)",
            name=op.f("ck_customer_credit_entries_payment_iff_moved"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_credit_entries_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_credit_entries_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_customer_credit_entries_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_customer_credit_entries_created_by_id_users"),
        ),
        sa.UniqueConstraint("payment_id", name=op.f("uq_customer_credit_entries_payment_id")),
    )
    op.create_index(
        "ix_customer_credit_entries_customer",
        "customer_credit_entries",
        ["customer_id", "currency"],
        postgresql_include=["amount"],
    )
    op.create_index(
        "ix_customer_credit_entries_company_date",
        "customer_credit_entries",
        ["company_id", "entry_date", "id"],
    )
    op.create_index(
        "ix_customer_credit_entries_date", "customer_credit_entries", ["entry_date", "id"]
    )
    # The ledger explains the balance line by line only if no line changes afterwards.
    op.execute("""
        CREATE FUNCTION customer_credit_entries_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'customer credit entries are append-only: add a reversing entry'
                USING ERRCODE = 'integrity_constraint_violation';
        END $$;
        CREATE TRIGGER customer_credit_entries_append_only
            BEFORE UPDATE OR DELETE ON customer_credit_entries
            FOR EACH ROW EXECUTE FUNCTION customer_credit_entries_append_only();
    """)
    _move_refunds_due_to_customer_credit()


def _move_refunds_due_to_customer_credit() -> None:
    # Before this revision a credit note on a paid invoice left a negative balance shown as
    # "refund due"; that money is now customer credit, as new credit notes make it.
    op.execute(f"""
        WITH owed AS (
            SELECT id, company_id, customer_id, currency, reference,
                   paid_amount + credited_amount - total_amount AS excess
            FROM invoices
            WHERE kind = 'invoice' AND status IN {OPEN}
              AND paid_amount + credited_amount > total_amount
        ), moved AS (
            INSERT INTO payments (invoice_id, company_id, payment_date, amount, method,
                                  reference, source, reason, created_at)
            SELECT id, company_id, current_date, -excess, 'customer_credit', '', 'manual',
                   'Credited beyond the open balance: moved to customer credit', now()
            FROM owed
            RETURNING id, invoice_id
        )
        INSERT INTO customer_credit_entries (company_id, customer_id, currency, amount, kind,
            entry_date, payment_id, description, method, reference, created_at)
        SELECT owed.company_id, owed.customer_id, owed.currency, owed.excess, 'credit_note',
               current_date, moved.id, 'Credited beyond the open balance of ' || owed.reference,
               '', '', now()
        FROM moved JOIN owed ON owed.id = moved.invoice_id
    """)
    op.execute(f"""
        UPDATE invoices
        SET paid_amount = total_amount - credited_amount, status = 'paid', version = version + 1
        WHERE kind = 'invoice' AND status IN {OPEN}
          AND paid_amount + credited_amount > total_amount
    """)


def downgrade() -> None:
    op.drop_table("customer_credit_entries")
    op.execute("DROP FUNCTION customer_credit_entries_append_only()")
    op.drop_index("ix_payments_source_date", table_name=op.f("payments"))
    op.drop_index("ix_payments_method_date", table_name=op.f("payments"))
    op.drop_constraint(op.f("ck_payments_reversal_has_reason"), "payments", type_="check")
    op.drop_constraint(op.f("uq_payments_reverses_id"), "payments", type_="unique")
    op.drop_constraint(op.f("fk_payments_reverses_id_payments"), "payments", type_="foreignkey")
    op.drop_column("payments", "reason")
    op.drop_column("payments", "reverses_id")
    op.drop_column("payments", "company_id")
    # Credit moved to or from an invoice goes back onto it: a negative balance is a refund
    # due again, an invoice paid from credit is open again.
    op.execute(f"""
        UPDATE invoices SET
            paid_amount = paid_amount - moved.amount,
            status = CASE
                WHEN total_amount - (paid_amount - moved.amount) - credited_amount <= 0 THEN 'paid'
                WHEN paid_amount - moved.amount > 0 THEN 'partially_paid'
                WHEN sent_at IS NOT NULL THEN 'sent'
                ELSE 'issued' END,
            version = version + 1
        FROM (
            SELECT invoice_id, sum(amount) AS amount FROM payments
            WHERE method = 'customer_credit' GROUP BY invoice_id
        ) AS moved
        WHERE moved.invoice_id = invoices.id AND status IN {OPEN}
    """)
    op.execute("DELETE FROM payments WHERE method = 'customer_credit'")
    op.drop_constraint(op.f("ck_payments_method"), "payments", type_="check")
    op.create_check_constraint(op.f("ck_payments_method"), "payments", OLD_METHODS)

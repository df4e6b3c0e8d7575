"""Freeze issued invoices and keep the audit trail append-only, in the database itself

The service layer refuses these changes too; the triggers make sure no screen, job or
hand-written SQL can slip past it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 23:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns that are the issued document. status, payments, credits, delivery and void
# bookkeeping may still change after issue.
FROZEN_COLUMNS = (
    "company_id, customer_id, kind, series_id, number, reference, issue_date, due_date, "
    "currency, exchange_rate, po_reference, notes, terms, original_invoice_id, "
    "net_amount, tax_amount, total_amount, issued_at"
)
FROZEN_OLD = ", ".join(f"OLD.{c.strip()}" for c in FROZEN_COLUMNS.split(","))
FROZEN_NEW = ", ".join(f"NEW.{c.strip()}" for c in FROZEN_COLUMNS.split(","))


def upgrade() -> None:
    op.execute(f"""
        CREATE FUNCTION invoices_guard_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
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
                OR ({FROZEN_NEW}) IS DISTINCT FROM ({FROZEN_OLD})
            ) THEN
                RAISE EXCEPTION 'invoice % is issued: its content is frozen', OLD.reference
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER invoices_guard_frozen BEFORE UPDATE OR DELETE ON invoices
            FOR EACH ROW EXECUTE FUNCTION invoices_guard_frozen();

        CREATE FUNCTION invoice_parts_guard_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            parent_status text;
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                -- NULL when the parent draft itself is being deleted (cascade): allowed.
                SELECT status INTO parent_status FROM invoices WHERE id = OLD.invoice_id;
                IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
                    RAISE EXCEPTION 'invoice % is issued: its lines are frozen', OLD.invoice_id
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                SELECT status INTO parent_status FROM invoices WHERE id = NEW.invoice_id;
                IF parent_status <> 'draft' THEN
                    RAISE EXCEPTION 'invoice % is issued: its lines are frozen', NEW.invoice_id
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END IF;
            RETURN OLD;
        END $$;
        CREATE TRIGGER invoice_lines_guard_frozen
            BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
            FOR EACH ROW EXECUTE FUNCTION invoice_parts_guard_frozen();
        CREATE TRIGGER invoice_tax_totals_guard_frozen
            BEFORE INSERT OR UPDATE OR DELETE ON invoice_tax_totals
            FOR EACH ROW EXECUTE FUNCTION invoice_parts_guard_frozen();

        CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only'
                USING ERRCODE = 'integrity_constraint_violation';
        END $$;
        CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
        CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
    """)


def downgrade() -> None:
    op.execute("""
        DROP TRIGGER audit_events_no_truncate ON audit_events;
        DROP TRIGGER audit_events_append_only ON audit_events;
        DROP FUNCTION audit_events_append_only();
        DROP TRIGGER invoice_tax_totals_guard_frozen ON invoice_tax_totals;
        DROP TRIGGER invoice_lines_guard_frozen ON invoice_lines;
        DROP FUNCTION invoice_parts_guard_frozen();
        DROP TRIGGER invoices_guard_frozen ON invoices;
        DROP FUNCTION invoices_guard_frozen();
    """)

"""EN 16931 VAT category codes and exemption reasons on tax rates and invoice tax rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("tax_rates", "invoice_tax_totals")
TO_CODES = {
    "standard": "S",
    "reduced": "S",
    "zero": "Z",
    "exempt": "E",
    "reverse_charge": "AE",
}
FROM_CODES = {"S": "standard", "Z": "zero", "E": "exempt", "AE": "reverse_charge"}
NEW_CATEGORIES = "('S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M')"
OLD_CATEGORIES = "('standard', 'reduced', 'zero', 'exempt', 'reverse_charge')"
FROZEN_GUARD = "invoice_tax_totals_guard_frozen"


def _case(mapping: dict[str, str], otherwise: str) -> str:
    whens = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in mapping.items())
    return f"CASE category {whens} ELSE '{otherwise}' END"


def _drop_checks() -> None:
    for table in TABLES:
        op.drop_constraint(op.f(f"ck_{table}_category"), table, type_="check")
    op.drop_constraint(
        op.f("ck_tax_rates_zero_categories_have_zero_rate"), "tax_rates", type_="check"
    )


def _add_checks(categories: str, zero_categories: str) -> None:
    for table in TABLES:
        op.create_check_constraint(op.f(f"ck_{table}_category"), table, f"category IN {categories}")
    op.create_check_constraint(
        op.f("ck_tax_rates_zero_categories_have_zero_rate"),
        "tax_rates",
        f"category NOT IN {zero_categories} OR percentage = 0",
    )


def _rewrite(statements: list[str]) -> None:
    # Issued invoices' tax rows are frozen by a trigger; renaming their category code keeps
    # what they mean, so the guard steps aside for these statements only.
    op.execute(f"ALTER TABLE invoice_tax_totals DISABLE TRIGGER {FROZEN_GUARD}")
    for statement in statements:
        op.execute(statement)
    op.execute(f"ALTER TABLE invoice_tax_totals ENABLE TRIGGER {FROZEN_GUARD}")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("exemption_code", sa.String(length=30), nullable=True))
        op.add_column(
            table,
            sa.Column("exemption_reason", sa.String(length=300), nullable=False, server_default=""),
        )
        op.alter_column(table, "exemption_reason", server_default=None)
    _drop_checks()
    statements = []
    for table in TABLES:
        statements += [
            f"UPDATE {table} SET category = {_case(TO_CODES, 'S')}",
            f"UPDATE {table} SET exemption_code = 'VATEX-EU-AE', "
            "exemption_reason = 'Reverse charge' WHERE category = 'AE'",
            f"UPDATE {table} SET exemption_reason = 'Exempt from VAT' WHERE category = 'E'",
        ]
    _rewrite(statements)
    _add_checks(NEW_CATEGORIES, "('Z', 'E', 'AE', 'K', 'G', 'O')")


def downgrade() -> None:
    _drop_checks()
    _rewrite(
        [
            f"UPDATE {table} SET category = CASE WHEN category IN ('K', 'G', 'O') THEN 'exempt' "
            f"ELSE {_case(FROM_CODES, 'standard')} END"
            for table in TABLES
        ]
    )
    _add_checks(OLD_CATEGORIES, "('zero', 'exempt', 'reverse_charge')")
    for table in TABLES:
        op.drop_column(table, "exemption_reason")
        op.drop_column(table, "exemption_code")

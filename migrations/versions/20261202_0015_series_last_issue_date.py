"""Keep the last issue date on the numbering counter, for the date-order check at issue

Issuing checked that numbers follow issue dates with max(issue_date) over the series'
invoices, a scan of the invoices table while the counter row was locked. The counter now
carries the date; it is filled from the invoices already issued (void ones included, as the
check counted them).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("numbering_series", sa.Column("last_issue_date", sa.Date(), nullable=True))
    op.execute("""
        UPDATE numbering_series AS series SET last_issue_date = issued.last_date
        FROM (
            SELECT series_id, max(issue_date) AS last_date FROM invoices
            WHERE status <> 'draft' GROUP BY series_id
        ) AS issued
        WHERE issued.series_id = series.id
    """)


def downgrade() -> None:
    op.drop_column("numbering_series", "last_issue_date")

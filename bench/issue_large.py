"""A single issue at a million invoices: drafts of the large database issued one by one.

    .venv/bin/python -m bench.seed_large          # once (it keeps ~5,000 drafts)
    .venv/bin/python -m bench.issue_large --drafts 100

Each of --drafts drafts of the first company is issued today by the demo finance user in its
own transaction, as bench/issue.py does on a small database; reported: p50/p95 of the whole
transaction and of `lifecycle.issue` alone, and statements per issue. It changes the bench
database (those drafts become issued invoices): re-seed for a fresh one.
"""

import argparse
from datetime import date

from sqlalchemy import create_engine, or_, select

from backoffice.demo_data import DEMO_USERS
from bench.http import DATABASE_URL
from bench.issue import StatementCounter, issue_one, percentile
from models import Company, Invoice, InvoiceStatus, User


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--drafts", type=int, default=100)
    args = parser.parse_args()
    engine = create_engine(args.database_url, connect_args={"prepare_threshold": None})
    counter = StatementCounter(engine)
    with engine.connect() as conn:
        user_id = conn.scalar(select(User.id).where(User.email == DEMO_USERS["finance"][0]))
        company = conn.scalar(select(Invoice.company_id).order_by(Invoice.id).limit(1))
        drafts = conn.scalars(
            select(Invoice.id)
            .join(Company, Company.id == Invoice.company_id)
            .where(
                Invoice.company_id == company,
                Invoice.status == InvoiceStatus.DRAFT,
                # Foreign-currency drafts need an exchange rate first; the seed leaves none.
                or_(Invoice.currency == Company.base_currency, Invoice.exchange_rate.is_not(None)),
            )
            .order_by(Invoice.id)
            .limit(args.drafts)
        ).all()
    samples = [issue_one(engine, counter, user_id, draft, date.today()) for draft in drafts]
    for label, values in (
        ("transaction", [sample.total_ms for sample in samples]),
        ("lifecycle.issue", [sample.service_ms for sample in samples]),
    ):
        print(
            f"{label}: p50 {percentile(values, 0.5):.1f} ms, "
            f"p95 {percentile(values, 0.95):.1f} ms over {len(values)} issues"
        )
    print(
        f"statements per issue: {samples[-1].statements} ({samples[-1].service_statements} "
        "in the service)"
    )


if __name__ == "__main__":
    main()

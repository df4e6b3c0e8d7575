"""`sync status` at scale: how long the per-type counts take on the large seed.

    .venv/bin/python -m bench.seed_large --database-url postgresql+psycopg://postgres@127.0.0.1:5432/backoffice_sync_large
    .venv/bin/python -m bench.sync_status --database-url postgresql+psycopg://postgres@127.0.0.1:5432/backoffice_sync_large

Counts (services/sync/backlog.status_counts) for the company with the most invoices and
--provider, --rounds times, with the EXPLAIN (ANALYZE, BUFFERS) of the two never-pushed
counts. Nothing is written: the worst case is a company that never synced anything, where
every issued document and payment counts as pending.
"""

import argparse
import statistics
import time

from sqlalchemy import create_engine, func, literal, select, text
from sqlalchemy.orm import Session

from backoffice.services.sync import backlog
from models import Invoice


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--provider", default="xero")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    engine = create_engine(args.database_url)
    with Session(engine) as session:
        company_id = session.scalar(
            select(Invoice.company_id)
            .group_by(Invoice.company_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        for query in (
            select(backlog.DOCUMENT_TYPE, func.count())
            .where(*backlog.never_pushed_documents(company_id, args.provider))
            .group_by(backlog.DOCUMENT_TYPE),
            select(literal("payment"), func.count()).where(
                *backlog.never_pushed_payments(company_id, args.provider)
            ),
        ):
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")).scalars()
            print("\n".join(plan), end="\n\n")
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            counts = backlog.status_counts(session, company_id, args.provider)
            times.append(time.perf_counter() - start)
        print({record_type: dict(counted) for record_type, counted in counts.items()})
        print(f"status_counts: best {min(times):.2f} s, median {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()

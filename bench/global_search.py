"""Global search benchmark: the search rules' queries at a million invoices.

    .venv/bin/python -m bench.global_search                   # on backoffice_large
    .venv/bin/python -m bench.global_search --fill            # own database, filled by SQL
    .venv/bin/python -m bench.global_search --explain         # and each query's plan

Measured on `backoffice_large` (bench/seed_large.py) when it exists; with --fill, on
`backoffice_bench_search`, migrated and filled with INSERT ... SELECT generate_series: 4
companies, 100,000 customers, 1,000,000 issued invoices, 300,000 payments.

Timed: services.search.global_search.search() as people type it, for each text below, as
a clerk of one company and as an admin (every company): 5 warm-up runs, then 30 timed;
p50 and p95 per text. The target is p95 under 50 ms.
"""

import argparse
import statistics
import time
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from backoffice.services.search.global_search import search
from bench.pdf import create_database, database_url

FILL_SQL = Path(__file__).with_name("global_search_fill.sql")
TEXTS = {
    "exact number": "INV-2024-000123",
    "number prefix, 4 hits": "inv-2024-00012",
    "broad number prefix": "INV-2024",
    "common name word": "atlas",
    "rare name fragment": "dwind logistik ag 4",
    "VAT id fragment": "DE1000421",
    "email fragment": "atlas-bau-3",
    "common name fragment": "gmb",
    "payment reference": "SEPA-00042",
    "every payment": "sepa",
    "nothing matches": "zzqxj",
}
TARGET_MS = 50


def fill(name: str) -> None:
    """Create, migrate and fill the bench database."""
    create_database(name)
    engine = create_engine(database_url(name))
    raw = engine.raw_connection()
    try:
        # psycopg itself: without parameters it leaves the script's % (modulo) alone.
        raw.driver_connection.execute(FILL_SQL.read_text())
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def timings(session: Session, company_ids: frozenset[int] | None, query: str) -> list[float]:
    """Milliseconds per search: 5 warm-ups, then 30 timed runs."""
    for _ in range(5):
        search(session, company_ids, query)
    runs = []
    for _ in range(30):
        start = time.perf_counter()
        search(session, company_ids, query)
        runs.append((time.perf_counter() - start) * 1000)
    return runs


def explain(engine, company_ids: frozenset[int] | None, query: str) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of every statement one search runs."""
    seen: list[tuple[str, object]] = []
    listener = lambda *args: seen.append((args[2], args[3]))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    with Session(engine) as session:
        search(session, company_ids, query)
    event.remove(engine, "before_cursor_execute", listener)
    with engine.connect() as conn:
        for statement, parameters in seen:
            if not statement.startswith("SELECT"):
                conn.exec_driver_sql(statement)  # the search's SET LOCAL planner settings
                continue
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            print("\n".join(row[0] for row in plan))
            print()


def report(engine, explain_plans: bool) -> None:
    """Time every text for one company and for all, and print p50/p95."""
    print(f"{'text':<24}{'scope':<9}{'p50 ms':>8}{'p95 ms':>8}")
    worst = 0.0
    with Session(engine) as session:
        for label, query in TEXTS.items():
            for scope, company_ids in (("1 of 4", frozenset({1})), ("all", None)):
                runs = sorted(timings(session, company_ids, query))
                p95 = runs[int(len(runs) * 0.95) - 1]
                worst = max(worst, p95)
                print(f"{label:<24}{scope:<9}{statistics.median(runs):>8.1f}{p95:>8.1f}")
                if explain_plans:
                    explain(engine, company_ids, query)
    print(f"worst p95 {worst:.1f} ms (target {TARGET_MS} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fill", action="store_true", help="fill backoffice_bench_search")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument("--database", help="measure this database instead")
    args = parser.parse_args()
    name = args.database or ("backoffice_bench_search" if args.fill else "backoffice_large")
    if args.fill:
        fill(name)
    engine = create_engine(database_url(name))
    report(engine, args.explain)
    engine.dispose()


if __name__ == "__main__":
    main()

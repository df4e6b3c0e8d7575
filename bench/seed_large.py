"""Fill a database with a million invoices for the benchmarks of issue 9, in about a minute.

    .venv/bin/python -m bench.seed_large                    # backoffice_large, 1,000,000 invoices
    .venv/bin/python -m bench.seed_large --invoices 2000 --database-url postgresql+psycopg://...
    make seed-large ARGS="--invoices 100000"

The database (default `backoffice_large` on the local server) is dropped, created and migrated
with `alembic upgrade head`; a name without "bench", "large" or "test" in it is refused unless
--force, since everything in it is lost. Then:

1. the ORM creates the reference data: two companies (the demo's Nordlicht Software GmbH with
   nine tenths of the documents, and Südwind Handel AG), their invoice and credit note series,
   demo_data's tax rates (19 %, 7 %, reverse charge, export), 210 products each, and the demo
   logins of `flask seed-demo` (demo_data.DEMO_USERS, Nordlicht only) so HTTP benchmarks can
   sign in;
2. COPY loads customers (one per 10 invoices: 100,000 at 1M) and, streamed in chunks that a
   second process generates while PostgreSQL loads the previous one, --invoices invoices over
   three years up to --end-date, their per-rate tax rows, payments and about 3 % more credit
   notes (bench/seed_large_rows.py says how amounts, dates and states are drawn). Every status
   occurs: draft, issued, sent, partially paid, paid, void, and paid by a full credit note.
   Building the rows in Python is the bottleneck: in a process of its own
   (bench/seed_large_producer.py) it has a core to itself;
3. the lines (about 10 per document, 1 to 19) are made by PostgreSQL, an INSERT ... SELECT
   (LINES_SQL) after each chunk's COPY, while the producer makes the next chunk: the stream
   prices a pool of line templates per company and kind of customer once, COPYs them, and
   then names per document only which templates it took, in order (it still adds up their
   nets for the document's totals and tax rows). Ten million lines are neither formatted by
   Python nor parsed by COPY;
4. the numbering counters are set to the last number of each series (numbers are gapless and
   follow issue dates, so issuing today continues each series) and the id sequences to the
   last id; the load commits;
5. the indexes are built on two connections at once (build_indexes), then the unique
   constraints are put back over their indexes; the report summaries (migration 0025) are
   computed from the loaded tables meanwhile, on a third connection; then ANALYZE.

The load is one transaction with `SET LOCAL session_replication_role = replica`: that skips the
triggers of migration 0002 (which freeze issued invoices, their lines and tax rows, and would
look up the invoice once per line) and the foreign key checks, and it ends with the
transaction, so no trigger is left disabled if the seed fails. It needs a superuser (the
local `postgres`). The tables are truncated in the same transaction so COPY can FREEZE: the rows
need no vacuum and index-only scans work at once (not the lines, which an INSERT writes).
Nothing goes through the ORM's flush hooks, so the audit trail gets one `seed.large` event,
not millions.
"""

import argparse
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from itertools import pairwise

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from tqdm import tqdm

from bench.seed_large_customers import CUSTOMER_COLUMNS
from bench.seed_large_producer import produced_ahead
from bench.seed_large_reference import add_customers, create_reference
from bench.seed_large_rows import (
    COLUMNS,
    COPIED,
    LINE_CHOICES,
    LINE_TEMPLATES,
    DocumentStream,
    World,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/backoffice_large"
BENCH_MARKERS = ("bench", "large", "test")
CHUNK = 5000  # invoices per COPY round, about 50,000 lines
TABLES = ("customers", *COLUMNS)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=date.today() - timedelta(days=1),
        help="last issue date (default yesterday); the documents span three years up to it",
    )
    parser.add_argument("--force", action="store_true", help="wipe a non-bench database too")
    return parser.parse_args(argv)


def bench_url(raw: str, force: bool) -> URL:
    """The database to wipe, refused unless its name says it is a bench database."""
    url = make_url(raw)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    name = url.database or ""
    if not force and not any(marker in name for marker in BENCH_MARKERS):
        sys.exit(
            f"Refusing to wipe {name!r}: a bench database's name contains one of "
            f"{', '.join(BENCH_MARKERS)}. Pass --force to wipe it anyway."
        )
    return url


def recreate_database(url: URL) -> None:
    """Drop (disconnecting anyone on it), create and migrate the database."""
    from backoffice.cli import alembic_config  # imports the app's CLI; only needed here

    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as conn:
        name = conn.dialect.identifier_preparer.quote(url.database)
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    maintenance.dispose()
    from alembic import command

    command.upgrade(alembic_config(url.render_as_string(hide_password=False)), "head")


def conninfo(url: URL) -> str:
    """The URL as libpq reads it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def copy_rows(conn: psycopg.Connection, table: str, columns: str, rows: bytes | str) -> None:
    """COPY rows (COPY text format, newline-terminated) into table."""
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN WITH (FREEZE)") as copy:
        copy.write(rows)


def detach_indexes(conn: psycopg.Connection) -> tuple[list[str], list[str]]:
    """Drop the loaded tables' indexes and unique constraints but their primary keys; return
    the statements that rebuild the indexes, and then the constraints.

    Building an index once after the load is cheaper than updating it per row, and much
    cheaper for trigram (GIN) indexes; whatever indexes later migrations add are found here.
    A unique constraint comes back as its index, then (once every index is built) as the
    constraint over that index: its ALTER TABLE is then instant, and no index build waits for
    it.
    """
    rows = conn.execute(
        """
        SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, c.conname,
               pg_get_indexdef(i.indexrelid), c.condeferrable, c.condeferred
        FROM pg_index i
        LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u'
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
        """,
        (list(TABLES),),
    )
    indexes, constraints = [], []
    for table, index, constraint, index_sql, deferrable, deferred in rows.fetchall():
        if constraint:
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
            timing = " DEFERRABLE" if deferrable else ""
            timing += " INITIALLY DEFERRED" if deferred else ""
            constraints.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {constraint} UNIQUE USING INDEX {index}"
                f"{timing}"
            )
        else:
            conn.execute(f"DROP INDEX {index}")
        indexes.append(index_sql)
    return indexes, constraints


# The lines, from the templates each document chose (bench/seed_large_rows.py): 10 million rows
# that no process has to format or parse. The join keeps the choices' order: an invoice's
# lines stay together on disk.
LINES_SQL = f"""
    INSERT INTO invoice_lines ({COLUMNS["invoice_lines"]})
    SELECT choice.first_line_id + chosen.position, choice.invoice_id, chosen.position,
        template.product_id, template.description, template.quantity, template.unit,
        template.unit_price, template.discount_percent, template.tax_rate_id,
        template.net_amount
    FROM {LINE_CHOICES} AS choice
    CROSS JOIN LATERAL unnest(choice.templates) WITH ORDINALITY AS chosen(pool_index, position)
    JOIN {LINE_TEMPLATES} AS template
        ON template.pool_id = choice.pool_id AND template.pool_index = chosen.pool_index
"""
TEMPLATE_COLUMNS = (
    "pool_id, pool_index, product_id, description, quantity, unit, unit_price, "
    "discount_percent, tax_rate_id, net_amount"
)
LINE_TABLES = f"""
    CREATE TEMPORARY TABLE {LINE_TEMPLATES} (
        pool_id integer, pool_index integer, product_id integer, description text,
        quantity numeric, unit text, unit_price numeric, discount_percent numeric,
        tax_rate_id integer, net_amount numeric, PRIMARY KEY (pool_id, pool_index)
    ) ON COMMIT DROP;
    CREATE TEMPORARY TABLE {LINE_CHOICES} (
        invoice_id integer, pool_id integer, first_line_id integer, templates integer[]
    ) ON COMMIT DROP
"""


def load(
    url: URL, world: World, customers: list[str], stream: DocumentStream, marks: dict[str, float]
) -> tuple[list[str], list[str]]:
    """COPY customers and documents and make the lines, in one committed transaction, without
    the tables' indexes; set counters and sequences. Return the statements that rebuild the
    indexes and then the unique constraints."""
    with psycopg.connect(conninfo(url)) as conn:  # commits when the block ends without error
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("SET LOCAL work_mem = '64MB'")
        # FREEZE needs the tables truncated in this transaction; they are empty anyway.
        conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        rebuild = detach_indexes(conn)
        conn.execute(LINE_TABLES)
        copy_rows(conn, "customers", CUSTOMER_COLUMNS, "".join(customers))
        copy_rows(conn, LINE_TEMPLATES, TEMPLATE_COLUMNS, stream.template_rows())
        with tqdm(total=stream.total, unit=" invoices", unit_scale=True, disable=None) as bar:
            for batch in produced_ahead(stream, CHUNK):
                for table, rows in batch.tables.items():
                    copy_rows(conn, table, COPIED[table], rows)
                # Each round's lines at once: PostgreSQL makes them while the producer
                # works out the next round, instead of all ten million after the COPY.
                conn.execute(LINES_SQL)
                conn.execute(f"TRUNCATE {LINE_CHOICES}")
                bar.update(batch.invoice_count)
        marks["COPY and lines"] = time.perf_counter()
        set_counters(conn, stream, len(world.customers))
    return rebuild


def build_indexes(url: URL, statements: tuple[list[str], list[str]], connections: int = 2) -> None:
    """Build the indexes on several connections at once, the largest tables first; then add
    the unique constraints over them.

    A GIN (trigram) index is built by one process; two builds at a time keep both cores
    busy, each with plenty of maintenance memory instead of PostgreSQL's parallel workers.
    """
    indexes, constraints = statements
    pending = sorted(indexes, key=_build_order)

    def work(bar: tqdm) -> None:
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")
            while pending:
                try:
                    statement = pending.pop(0)
                except IndexError:  # the other connection took the last one
                    return
                conn.execute(statement)
                bar.update()

    bar = tqdm(total=len(pending), unit=" indexes", disable=None)
    with bar, ThreadPoolExecutor(connections) as pool:
        for future in [pool.submit(work, bar) for _ in range(connections)]:
            future.result()
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        for statement in constraints:
            conn.execute(statement)


def _build_order(statement: str) -> int:
    # The lines hold ten rows per invoice, the invoices the most indexes: start with them.
    for position, table in enumerate(("invoice_lines", "invoices", "invoice_tax_totals")):
        if f" ON public.{table} " in statement:
            return position
    return 3


def fill_report_summaries(url: URL) -> None:
    """The reports' summary rows (migration 0025): the load runs without triggers, which
    would otherwise keep them, so they are computed from the loaded documents at once."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("SELECT report_summaries_rebuild()")


def set_counters(conn: psycopg.Connection, stream: DocumentStream, customers: int) -> None:
    """Each series continues after its last number and date; each id sequence after its
    last id."""
    for series_id, last in stream.numbers.items():
        conn.execute(
            "UPDATE numbering_series SET last_number = %s WHERE id = %s", (last, series_id)
        )
    # The date-order check reads the series' last issue date from its counter.
    conn.execute(
        "UPDATE numbering_series AS s SET last_issue_date = last.day FROM (SELECT series_id, "
        "max(issue_date) AS day FROM invoices WHERE number IS NOT NULL GROUP BY series_id) "
        "AS last WHERE last.series_id = s.id"
    )
    for table, last in (("customers", customers), *stream.last_id.items()):
        conn.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), greatest(%s, 1), %s > 0)",
            (table, last, last),
        )


def analyze(url: URL) -> str:
    """Refresh the planner's statistics; return the database's size."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
        return conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = bench_url(args.database_url, args.force)
    marks = {"start": time.perf_counter()}
    recreate_database(url)
    rng = random.Random(args.seed)
    world = create_reference(url, args.end_date, rng)
    customers = add_customers(world, max(20, args.invoices // 10), rng)
    stream = DocumentStream(world, args.invoices, rng)
    marks["schema and reference data"] = time.perf_counter()
    rebuild = load(url, world, customers, stream, marks)
    marks["counters"] = time.perf_counter()
    # The summaries read whole tables, no index: they are computed while the indexes build.
    with ThreadPoolExecutor(1) as pool:
        summaries = pool.submit(fill_report_summaries, url)
        build_indexes(url, rebuild)
        summaries.result()
    marks["indexes and report summaries"] = time.perf_counter()
    size = analyze(url)
    marks["ANALYZE"] = time.perf_counter()
    counts = ", ".join(f"{table} {last:,}" for table, last in stream.last_id.items())
    print(f"{url.database}: customers {len(world.customers):,}, {counts}")
    stages = ", ".join(
        f"{stage} {later - earlier:.1f} s"
        for (_, earlier), (stage, later) in pairwise(marks.items())
    )
    print(f"Seeded in {marks['ANALYZE'] - marks['start']:.1f} s ({stages}); database size {size}.")


if __name__ == "__main__":
    main()

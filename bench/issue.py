"""Issuing benchmark: many drafts issued by one and by eight concurrent issuers, gapless.

    .venv/bin/python -m bench.issue                       # 2,000 drafts of 10 lines per run
    .venv/bin/python -m bench.issue --drafts 500 --workers 1 4 8 --keep

Setup (not timed), in the database `backoffice_bench_issue`: one company per run (so each run
has its own series, numbered from 1), a customer, three tax rates and a finance clerk. One
10-line draft is made through the services and copied in SQL to --drafts drafts, lines and
tax rows included (what the draft screen would have saved). A separate warm-up company gives
every worker --warm-up drafts to issue first, so compiled-statement caches and connections are
warm when the clock starts, as in a long-running web worker.

Timed, for each --workers count: that many processes (each with its own engine and a new
Session per issue, as a request gets) wait at a barrier, then issue their share of the drafts
round-robin, one transaction each, committed at once: load the clerk and the draft, call
`lifecycle.issue`, commit. Reported per run:

- issues/s: drafts / (last commit - first start);
- per issue, p50/p95: the whole transaction (load, issue, commit), and the service alone
  (`lifecycle.issue`, wall and CPU time of the issuing process); the mean CPU time of the
  issuing process per issue, whole transaction and service (on a shared machine the rate
  depends on the neighbours, this much less);
- statements per issue (the service's, and with the loads and the commit), counted with
  SQLAlchemy's `before_cursor_execute` event.

Then the run's series is checked: numbers exactly 1..N (no gap, no duplicate), the counter at
N, no draft left, every issue date in number order.

The database (--database, default `backoffice_bench_issue`) is dropped and created at the
start, and dropped at the end unless --keep.
"""

import argparse
import multiprocessing
import statistics
import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import Session

from backoffice.services import audit
from backoffice.services.invoicing import lifecycle
from bench.pdf import create_database, database_url, drop_database
from models import Invoice, InvoiceStatus, NumberingSeries, Role, User
from tests import factories

DATABASE_NAME = "backoffice_bench_issue"
TODAY = date(2026, 6, 30)
LINES = 10
TARGET_SINGLE_MS = 15.0
TARGET_RATE = 200.0
COUNTER_UPDATE = "UPDATE numbering_series"  # alone, or inside the statement that issues


@dataclass
class Sample:
    total_ms: float
    total_cpu_ms: float
    service_ms: float
    service_cpu_ms: float
    service_statements: int
    statements: int
    # The statement with the counter's UPDATE (alone before issue 9's last step, now with the
    # invoice's UPDATE and the audit rows), mostly waiting for other issuers' commits; and
    # from its end to the end of the commit, the rest of the time the row stays locked.
    counter_wait_ms: float
    counter_held_ms: float


@dataclass
class WorkerResult:
    started: float = 0.0
    finished: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --- setup ---------------------------------------------------------------------------------


def make_company(session: Session, label: str) -> tuple[int, int, int]:
    """A company with a customer, three tax rates and a clerk; one 10-line draft of theirs."""
    company = factories.make_company(session, name=f"Bench issuing {label}")
    customer = factories.make_customer(session, company)
    user = factories.make_user(session, Role.FINANCE, companies=[company])
    rates = [factories.make_tax_rate(session, p) for p in ("19", "7", "0")]
    lines = [
        factories.line(rates[n % 3], str(1 + n % 4), f"{40 + 7 * n}.50", discount_percent="5")
        for n in range(LINES)
    ]
    draft = factories.make_draft(session, user, customer, lines, notes="Thank you.")
    return company.id, user.id, draft.id


def copy_draft(session: Session, draft_id: int, copies: int) -> list[int]:
    """copies more drafts like draft_id, with its lines and tax rows; all ids, in order."""
    new_ids = session.scalars(
        text("""
            INSERT INTO invoices (company_id, customer_id, kind, status, currency, po_reference,
                notes, terms, net_amount, tax_amount, total_amount, paid_amount,
                credited_amount, version, created_by_id, created_at, updated_at, void_reason)
            SELECT company_id, customer_id, kind, status, currency, po_reference, notes, terms,
                net_amount, tax_amount, total_amount, paid_amount, credited_amount, version,
                created_by_id, created_at, updated_at, void_reason
            FROM invoices, generate_series(1, :copies) WHERE id = :draft
            RETURNING id
        """),
        {"copies": copies, "draft": draft_id},
    ).all()
    parts = {
        "invoice_lines": "position, product_id, description, quantity, unit, unit_price, "
        "discount_percent, tax_rate_id, net_amount",
        "invoice_tax_totals": "tax_rate_id, percentage, category, exemption_code, "
        "exemption_reason, taxable_amount, tax_amount",
    }
    for table, columns in parts.items():
        session.execute(
            text(
                f"INSERT INTO {table} (invoice_id, {columns}) SELECT new.id, {columns} "
                f"FROM {table}, unnest(CAST(:ids AS int[])) AS new(id) WHERE invoice_id = :draft"
            ),
            {"ids": list(new_ids), "draft": draft_id},
        )
    return [draft_id, *new_ids]


def seed(url: str, label: str, drafts: int) -> tuple[int, int, list[int]]:
    """A company with drafts ready to issue: (company id, clerk id, draft ids)."""
    engine = create_engine(url)
    with Session(engine) as session:
        company_id, user_id, draft_id = make_company(session, label)
        ids = copy_draft(session, draft_id, drafts - 1)
        session.commit()
    engine.dispose()
    return company_id, user_id, ids


# --- a worker process ----------------------------------------------------------------------


class StatementCounter:
    """Counts statements, and times the counter's UPDATE: how long it waited for the row."""

    def __init__(self, engine) -> None:
        self.count = 0
        self.counter_started = self.counter_taken = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement: str, *args) -> None:
        self.count += 1
        if COUNTER_UPDATE in statement:
            self.counter_started = time.perf_counter()

    def _after(self, conn, cursor, statement: str, *args) -> None:
        if COUNTER_UPDATE in statement:
            self.counter_taken = time.perf_counter()


def app_engine(url: str):
    """An engine with the web app's options (backoffice/config.py) that matter here: no
    server-side prepared statements, a ping when a connection is taken from the pool."""
    return create_engine(
        url, pool_size=1, pool_pre_ping=True, connect_args={"prepare_threshold": None}
    )


def issue_one(
    engine, counter: StatementCounter, user_id: int, invoice_id: int, day: date = TODAY
) -> Sample:
    """Issue one draft in its own transaction, committed; measure it."""
    started, first_statement = time.perf_counter(), counter.count
    started_cpu = time.process_time()
    with Session(engine) as session:
        user = session.get(User, user_id)
        invoice = session.get(Invoice, invoice_id)
        service_statement, cpu = counter.count, time.process_time()
        service_started = time.perf_counter()
        lifecycle.issue(session, user, invoice, day)
        service_ms = (time.perf_counter() - service_started) * 1000
        service_cpu_ms = (time.process_time() - cpu) * 1000
        service_statements = counter.count - service_statement
        session.commit()
    finished = time.perf_counter()
    return Sample(
        total_ms=(finished - started) * 1000,
        total_cpu_ms=(time.process_time() - started_cpu) * 1000,
        service_ms=service_ms,
        service_cpu_ms=service_cpu_ms,
        service_statements=service_statements,
        statements=counter.count - first_statement,
        counter_wait_ms=(counter.counter_taken - counter.counter_started) * 1000,
        counter_held_ms=(finished - counter.counter_taken) * 1000,
    )


def run_worker(url: str, warm_up: tuple, work: tuple, barrier, results) -> None:
    """Issue the warm-up share, wait for the others, then issue the timed share."""
    audit.install()
    engine = app_engine(url)
    counter = StatementCounter(engine)
    result = WorkerResult()
    for user_id, invoice_id in warm_up:
        issue_one(engine, counter, user_id, invoice_id)
    barrier.wait()
    result.started = time.perf_counter()
    for user_id, invoice_id in work:
        try:
            result.samples.append(issue_one(engine, counter, user_id, invoice_id))
        except Exception as error:  # reported and failed by the checks, never hidden
            result.errors.append(f"{invoice_id}: {error!r}"[:300])
    result.finished = time.perf_counter()
    engine.dispose()
    results.put(result)


def run(url: str, workers: int, warm_up: list, work: list) -> list[WorkerResult]:
    """Issue work with workers processes at once, after each issued its warm-up share."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(workers), context.Queue()
    processes = [
        context.Process(
            target=run_worker,
            args=(url, tuple(warm_up[n::workers]), tuple(work[n::workers]), barrier, results),
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    collected = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    return collected


# --- checks and report ---------------------------------------------------------------------


def check_gapless(url: str, company_id: int, count: int) -> str:
    """Numbers 1..count, each once, in issue-date order; the counter at count; no draft left."""
    engine = create_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            select(Invoice.number, Invoice.issue_date, Invoice.status)
            .where(Invoice.company_id == company_id)
            .order_by(Invoice.number)
        ).all()
        last = session.scalar(
            select(NumberingSeries.last_number).where(
                NumberingSeries.company_id == company_id, NumberingSeries.code == "INV"
            )
        )
    engine.dispose()
    numbers = [row.number for row in rows]
    assert numbers == list(range(1, count + 1)), "numbers are not exactly 1..N"
    assert all(row.status != InvoiceStatus.DRAFT for row in rows), "a draft was left"
    dates = [row.issue_date for row in rows]
    assert dates == sorted(dates), "issue dates out of number order"
    assert last == count, f"counter at {last}, expected {count}"
    return f"numbers 1..{count}: no gap, no duplicate, counter at {last}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(workers: int, results: list[WorkerResult], drafts: int) -> float:
    """Print one run's figures; return its issues per second."""
    errors = [error for result in results for error in result.errors]
    assert not errors, f"{len(errors)} issues failed, e.g. {errors[:3]}"
    samples = [sample for result in results for sample in result.samples]
    seconds = max(r.finished for r in results) - min(r.started for r in results)
    rate = drafts / seconds
    total = [s.total_ms for s in samples]
    service = [s.service_ms for s in samples]
    cpu = [s.service_cpu_ms for s in samples]
    total_cpu = statistics.mean(s.total_cpu_ms for s in samples)
    statements = statistics.mean(s.service_statements for s in samples)
    wait = [s.counter_wait_ms for s in samples]
    held = [s.counter_held_ms for s in samples]
    print(
        f"{workers} worker(s): {drafts} issues in {seconds:.2f} s = {rate:.0f} issues/s\n"
        f"  per issue (load + issue + commit): p50 {percentile(total, 0.5):.1f} ms, "
        f"p95 {percentile(total, 0.95):.1f} ms\n"
        f"  service (lifecycle.issue): p50 {percentile(service, 0.5):.1f} ms, "
        f"p95 {percentile(service, 0.95):.1f} ms; CPU p50 {percentile(cpu, 0.5):.1f} ms\n"
        f"  CPU per issue (mean): {total_cpu:.1f} ms with loads and commit, "
        f"{statistics.mean(cpu):.1f} ms in the service\n"
        f"  statements per issue: service {statements:.1f}, "
        f"with loads and commit {statistics.mean(s.statements for s in samples):.1f}\n"
        f"  counter statement: p50 {percentile(wait, 0.5):.1f} ms, "
        f"p95 {percentile(wait, 0.95):.1f} ms; then held until committed: "
        f"p50 {percentile(held, 0.5):.1f} ms, p95 {percentile(held, 0.95):.1f} ms"
    )
    return rate


def bench(url: str, args: argparse.Namespace) -> None:
    warm = seed(url, "warm-up", args.warm_up * sum(args.workers))
    warm_up = [(warm[1], invoice_id) for invoice_id in warm[2]]
    for workers in args.workers:
        company_id, user_id, ids = seed(url, f"{workers} workers", args.drafts)
        share = warm_up[: args.warm_up * workers]
        warm_up = warm_up[args.warm_up * workers :]
        results = run(url, workers, share, [(user_id, i) for i in ids])
        rate = report(workers, results, args.drafts)
        print(f"  {check_gapless(url, company_id, args.drafts)}")
        if workers >= 8:
            verdict = "met" if rate >= TARGET_RATE else "missed"
            print(f"  target >= {TARGET_RATE:g} issues/s with {workers} workers: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drafts", type=int, default=2000, help="drafts issued per run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--warm-up", type=int, default=10, help="warm-up issues per worker")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", default=DATABASE_NAME, help="bench database (recreated)")
    args = parser.parse_args()
    create_database(args.database)
    try:
        bench(database_url(args.database), args)
    finally:
        if not args.keep:
            drop_database(args.database)


if __name__ == "__main__":
    main()

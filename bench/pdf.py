"""PDF pipeline benchmark: raw in-process rendering beside real `flask worker` processes.

    .venv/bin/python -m bench.pdf        # raw 20 x 30 lines, 2 x 500 lines; then, for the
                                         # forking and the --simple worker: 1 worker x 30,
                                         # 2 workers x 40 invoices
    .venv/bin/python -m bench.pdf --modes fork --one 60 --two 80 --raw 40 --large 0 --keep

One run measures, in order:

1. raw: bench.pdf_raw's in-memory 30-line invoice rendered --raw times after pdf.preload(),
   in this process: the ceiling for one worker. Then the same renders in 2 forked processes
   at once: what the machine's CPUs allow two workers. Then the 500-line invoice --large times;
2. one worker: --one issued 30-line invoices are created in the database `backoffice_bench`
   through the services (issuing asks for a `pdf-<id>-v1` job, which the real dispatcher
   enqueues to Redis db 5 after each commit); then one `flask --app wsgi worker --burst
   --queue pdf` process runs until the queue is empty and exits. Every invoice must then have
   exactly one stored document;
3. two workers: the same with --two fresh invoices and two worker processes side by side.

Steps 2 and 3 run for each of --modes: `fork` (RQ's default Worker, a forked work-horse per
job) and `simple` (the same command with --simple: jobs run in the worker process); step 2
--rounds times.

After each pipeline run the raw renders are timed again, and the run is set against the mean
of the raw rate just before and just after it. This machine's speed drifts by several percent
within a minute (the same renders in fresh processes one after the other: 118 to 129 ms), so
a raw rate timed once at the start would move each ratio by as much as the worker's own cost.

For each pipeline run it prints the wall time from spawning the workers to their exit (this
includes starting Python, importing the app and preloading the PDF stack) and the steady-state
rate over the jobs themselves (first job start to last job end, from RQ's timestamps), with
the ratio of the steady rate per worker to the raw rate, the mean time inside a job, the mean
time per job outside it (fork, dequeue, RQ bookkeeping), the peak resident memory of a worker
(parent process, its largest child: the work-horse or RQ's scheduler, which every worker
forks, and the whole tree, sampled with psutil), and the CPU seconds used meanwhile by the
workers, PostgreSQL, this process and anything else (a busy machine shows up there).

The database `backoffice_bench` (or $BENCH_PDF_DATABASE) is dropped and created at the start,
and dropped at the end unless --keep; Redis db 5 (or $BENCH_PDF_REDIS_URL) is emptied before
and after; workers still running are stopped on
the way out (also on Ctrl+C or SIGTERM). Worker logs go to a temporary folder and are printed
when a worker fails.
"""

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import median

import psutil
from flask import Flask
from redis import Redis
from rq.job import Job
from sqlalchemy import create_engine, func, select, text

from backoffice.app import create_app
from backoffice.extensions import db
from backoffice.services import audit
from backoffice.services.delivery import pdf
from backoffice.services.invoicing import drafts, lifecycle
from bench.pdf_raw import build_invoice
from models import Customer, InvoiceLine, Role, StoredDocument, TaxCategory, User
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
# Overridable so benchmarks on a machine shared with others use a database and Redis db of
# their own: this one drops the database and empties the Redis db.
DATABASE_NAME = os.environ.get("BENCH_PDF_DATABASE", "backoffice_bench")
DATABASE_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE_NAME}"
REDIS_URL = os.environ.get("BENCH_PDF_REDIS_URL", "redis://127.0.0.1:6379/5")
SECRET_KEY = "bench-only-not-secret"
RETRY_INTERVALS = "10,30"
# bench.pdf_raw's tax rate ids 1, 2, 3: percentage and category.
RATES = {
    1: ("19", TaxCategory.STANDARD),
    2: ("7", TaxCategory.STANDARD),
    3: ("0", TaxCategory.ZERO_RATED),
}


# --- database and app --------------------------------------------------------------------


def _maintenance():
    return create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )


def database_url(name: str = DATABASE_NAME) -> str:
    """The URL of a bench database on the local server."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str = DATABASE_NAME) -> None:
    """Drop a bench database, disconnecting anyone still on it."""
    engine = _maintenance()
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


def create_database(name: str = DATABASE_NAME) -> None:
    """An empty bench database, migrated with the project's own command."""
    drop_database(name)
    engine = _maintenance()
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db-upgrade"],
        cwd=ROOT,
        env=worker_env({"DATABASE_URL": database_url(name)}),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def clean_up(redis: Redis, temp: Path, keep: bool = False) -> None:
    """Empty the bench Redis db, remove the temporary folder, and drop the bench database
    unless keep."""
    redis.flushdb()
    redis.close()
    shutil.rmtree(temp, ignore_errors=True)
    if not keep:
        drop_database()


def worker_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a worker: our database, Redis db and document folder."""
    env = dict(os.environ)
    env.update(DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, SECRET_KEY=SECRET_KEY)
    env.update(extra)
    return env


def make_app(overrides: dict[str, str]) -> Flask:
    """The app on the bench database; commits enqueue jobs to Redis db 5."""
    settings = {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": SECRET_KEY,
        "JOB_RETRY_INTERVALS": RETRY_INTERVALS,
    }
    return create_app(settings | overrides)


@contextmanager
def app_session(app: Flask) -> Iterator:
    """A session as a job or request would get it, attributed to the benchmark."""
    with app.app_context():
        session = db.sessionmaker()
        audit.set_actor(session, audit.Actor(user_id=None, email="bench"))
        try:
            yield session
        finally:
            session.close()


@dataclass
class World:
    user_id: int
    customer_id: int
    rate_ids: dict[int, int]  # bench.pdf_raw's rate id -> database id


def seed(app: Flask, customer_email: str = "ap@customer.example") -> World:
    """The company, customer and tax rates of bench.pdf_raw's invoice, and a finance clerk."""
    with app_session(app) as session:
        company = factories.make_company(
            session,
            name="Nordlicht Software GmbH",
            address="Bahnhofstrasse 12\n10115 Berlin",
            tax_id="DE123456789",
            email="billing@nordlicht.example",
            bank_name="Berliner Volksbank",
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
        )
        customer = factories.make_customer(
            session,
            company,
            name="Łódź Ελλάδα Москва Zürich GmbH",
            address="ul. Piotrkowska 100\nAttn: Paweł Żółkiewski",
            postal_code="90-001",
            city="Łódź",
            country="PL",
            vat_id="PL7251234567",
            email=customer_email,
            language="en",
        )
        user = factories.make_user(session, Role.FINANCE, companies=[company])
        rate_ids = {
            key: factories.make_tax_rate(session, percentage, category=category.value).id
            for key, (percentage, category) in RATES.items()
        }
        session.commit()
        return World(user.id, customer.id, rate_ids)


def invoice_lines(line_count: int, rate_ids: dict[int, int]) -> list[InvoiceLine]:
    """The lines of bench.pdf_raw.build_invoice, pointing at the database's tax rates."""
    model = build_invoice(line_count)
    return [
        InvoiceLine(
            position=line.position,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate_id=rate_ids[line.tax_rate_id],
        )
        for line in model.lines
    ]


def create_invoices(app: Flask, world: World, count: int, line_count: int) -> list[int]:
    """Issue count invoices, one commit each: each commit enqueues its PDF job."""
    ids = []
    with app_session(app) as session:
        actor = session.get(User, world.user_id)
        customer = session.get(Customer, world.customer_id)
        for _ in range(count):
            draft = drafts.create_draft(
                session,
                actor,
                customer,
                issue_date=factories.ISSUE_DAY,
                po_reference="PO-2026-0815",
                notes="Thank you for your business.",
                terms="30 days net.",
            )
            draft.lines.extend(invoice_lines(line_count, world.rate_ids))
            lifecycle.issue(session, actor, draft, factories.ISSUE_DAY)  # totals computed here
            session.commit()
            ids.append(draft.id)
    return ids


def stored_documents(app: Flask, invoice_ids: Sequence[int]) -> int:
    """How many documents are stored for these invoices."""
    with app_session(app) as session:
        return session.scalar(
            select(func.count())
            .select_from(StoredDocument)
            .where(StoredDocument.invoice_id.in_(invoice_ids))
        )


# --- worker processes ----------------------------------------------------------------------


@dataclass
class Peak:
    """Peak resident set sizes seen while sampling worker process trees, in bytes."""

    parent: int = 0
    child: int = 0  # the largest child: a work-horse, or the scheduler RQ forks
    tree: int = 0
    samples: int = 0


class RssSampler(threading.Thread):
    """Samples the RSS of worker processes and their children every interval seconds."""

    def __init__(self, pids: Sequence[int], interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pids, self.interval = list(pids), interval
        self.peak = Peak()
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            for pid in self.pids:
                self._sample(pid)
            self._done.wait(self.interval)

    def _sample(self, pid: int) -> None:
        try:
            parent = psutil.Process(pid)
            parent_rss = parent.memory_info().rss
            children = parent.children(recursive=True)
        except psutil.Error:
            return
        tree = parent_rss
        for child in children:
            try:
                rss = child.memory_info().rss
            except psutil.Error:
                continue
            self.peak.child = max(self.peak.child, rss)
            tree += rss
        self.peak.parent = max(self.peak.parent, parent_rss)
        self.peak.tree = max(self.peak.tree, tree)
        self.peak.samples += 1

    def stop(self) -> Peak:
        self._done.set()
        self.join()
        return self.peak


@dataclass
class Workers:
    """Worker processes started by the benchmark, each in a process group of its own."""

    logs: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(
        self, count: int, queue: str, env: dict[str, str], simple: bool = False, burst: bool = True
    ) -> None:
        """Start count workers on queue; with burst each exits once the queue is empty."""
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--queue", queue]
        command += (["--simple"] if simple else []) + (["--burst"] if burst else [])
        for _ in range(count):
            number = len(self.processes) + 1
            log = open(self.logs / f"worker-{number}.log", "wb")  # noqa: SIM115 (closed by stop)
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            log.close()  # the child holds its own copy

    def wait(self, timeout: float) -> None:
        """Wait for every worker to exit; raise (after stopping them) on timeout or failure."""
        deadline = time.monotonic() + timeout
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stop()
                raise RuntimeError(f"workers still running after {timeout:.0f} s") from None
        failed = [p for p in self.processes if p.returncode != 0]
        if failed:
            raise RuntimeError(f"worker exited with {failed[0].returncode}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
            for log in sorted(self.logs.glob("worker-*.log"))
        )

    def stop(self) -> None:
        """Terminate what still runs (SIGTERM to the group, SIGKILL after 10 s)."""
        for process in self.processes:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


@dataclass
class Cpu:
    """CPU seconds spent during a run, by whom."""

    workers: float  # the worker processes and their work-horses (reaped children)
    this: float  # this process (dispatcher, SMTP server, sampling)
    postgres: float  # PostgreSQL's processes, including backends that ended
    others: float  # everything else busy on the machine (Redis, other people's work)
    available: float  # wall time x CPUs

    @classmethod
    @contextmanager
    def measure(cls) -> Iterator[list["Cpu"]]:
        out: list[Cpu] = []
        before = _cpu_counters()
        started = time.perf_counter()
        yield out
        wall = time.perf_counter() - started
        busy, workers, this, postgres = (
            after - earlier for after, earlier in zip(_cpu_counters(), before, strict=True)
        )
        others = max(0.0, busy - workers - this - postgres)
        out.append(cls(workers, this, postgres, others, wall * psutil.cpu_count()))

    def __str__(self) -> str:
        return (
            f"CPU s: workers {self.workers:.1f}, PostgreSQL {self.postgres:.1f},"
            f" this process {self.this:.1f}, anything else {self.others:.1f};"
            f" {self.available:.1f} available"
        )


def _cpu_counters() -> tuple[float, float, float, float]:
    """Busy CPU seconds: whole machine, reaped children, this process, PostgreSQL."""
    times = psutil.cpu_times()
    busy = sum(times) - times.idle - times.iowait - times.guest - times.guest_nice
    return (
        busy,
        _rusage(resource.RUSAGE_CHILDREN),
        _rusage(resource.RUSAGE_SELF),
        _postgres_cpu(),
    )


def _postgres_cpu() -> float:
    """CPU seconds of PostgreSQL processes; the postmaster's children_* hold ended backends."""
    total = 0.0
    for process in psutil.process_iter(["name", "ppid"]):
        if process.info["name"] not in ("postgres", "postmaster"):
            continue
        with suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
            if process.info["ppid"] == 1 or process.parent().name() != "postgres":
                total += times.children_user + times.children_system
    return total


def _rusage(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    """One pipeline run: how long, how fast, how much memory."""

    workers: int
    jobs: int
    spawned: float  # time.perf_counter() when the workers were started
    wall: float  # spawn to exit of the last worker
    startup: float  # spawn to the first job's start
    span: float  # first job start to last job end
    mean_in_job: float
    peak: Peak
    cpu: Cpu

    @property
    def wall_rate(self) -> float:
        return self.jobs / self.wall

    @property
    def steady_rate(self) -> float:
        return self.jobs / self.span

    @property
    def outside_job(self) -> float:
        """Mean time per job that a worker spends outside the job: fork, dequeue, bookkeeping."""
        return self.workers * self.span / self.jobs - self.mean_in_job


def job_times(redis: Redis, job_ids: Sequence[str]) -> tuple[list[datetime], list[datetime]]:
    """Start and end times of finished jobs (RQ keeps them for result_ttl, 500 s)."""
    jobs = Job.fetch_many(list(job_ids), connection=redis)
    missing = [jid for jid, job in zip(job_ids, jobs, strict=True) if job is None]
    unfinished = [job.id for job in jobs if job is not None and not job.is_finished]
    if missing or unfinished:
        detail = ""
        if unfinished:
            job = Job.fetch(unfinished[0], connection=redis)
            result = job.latest_result()
            detail = f"; {job.id} is {job.get_status()}: {result.exc_string if result else ''}"
        raise RuntimeError(
            f"jobs not finished: missing {missing[:5]}, unfinished {unfinished[:5]}{detail}"
        )
    return [job.started_at for job in jobs], [job.ended_at for job in jobs]


def run_workers(
    redis: Redis,
    logs: Path,
    count: int,
    queue: str,
    job_ids: Sequence[str],
    env: dict[str, str],
    simple: bool = False,
    timeout: float = 900,
    times: Callable[[], tuple[list[datetime], list[datetime]]] | None = None,
) -> Run:
    """Start count burst workers on a full queue, time them to their exit, sample their RSS.

    Each job's start and end come from RQ's finished jobs, or from times() for jobs that RQ
    does not keep.
    """
    workers = Workers(logs)
    started_wall = datetime.now().astimezone()
    try:
        with Cpu.measure() as cpu:
            started = time.perf_counter()
            workers.start(count, queue, env, simple)
            sampler = RssSampler([p.pid for p in workers.processes])
            sampler.start()
            try:
                workers.wait(timeout)
            finally:
                peak = sampler.stop()
            wall = time.perf_counter() - started
    finally:
        workers.stop()
    starts, ends = times() if times else job_times(redis, job_ids)
    first, last = min(starts), max(ends)
    return Run(
        workers=count,
        jobs=len(job_ids),
        spawned=started,
        wall=wall,
        startup=(first.astimezone() - started_wall).total_seconds(),
        span=(last - first).total_seconds(),
        mean_in_job=sum((e - s).total_seconds() for s, e in zip(starts, ends, strict=True))
        / len(job_ids),
        peak=peak,
        cpu=cpu[0],
    )


# --- the benchmark -------------------------------------------------------------------------


def raw_rate(line_count: int, repeat: int) -> tuple[float, float]:
    """bench.pdf_raw's invoice rendered repeat times in this process: (PDFs/s, RSS MiB)."""
    invoice = build_invoice(line_count)
    started = time.perf_counter()
    for _ in range(repeat):
        pdf.render_invoice_pdf(invoice)
    elapsed = time.perf_counter() - started
    return repeat / elapsed, psutil.Process().memory_info().rss / 2**20


def raw_parallel_rate(processes: int, repeat: int) -> float:
    """The same renders in processes forked children at once: the machine's parallel ceiling."""
    invoice = build_invoice(30)
    pdf.render_invoice_pdf(invoice)  # warm before forking, like a worker that preloads
    started = time.perf_counter()
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 0
            try:
                for _ in range(repeat):
                    pdf.render_invoice_pdf(invoice)
            except BaseException:
                code = 1
            os._exit(code)
        children.append(pid)
    failed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
    if failed:
        raise RuntimeError("a parallel raw renderer failed")
    return processes * repeat / (time.perf_counter() - started)


def mib(value: int) -> str:
    return f"{value / 2**20:.0f} MiB"


def report_run(name: str, run: Run, before: float, after: float) -> float:
    """Print the run against the raw rate around it; return its steady ratio per worker."""
    raw = (before + after) / 2
    print(
        f"{name}: {run.jobs} PDFs, wall {run.wall:.2f} s = {run.wall_rate:.2f} PDFs/s"
        f" (spawn to first job {run.startup:.2f} s); steady {run.span:.2f} s ="
        f" {run.steady_rate:.2f} PDFs/s = {run.steady_rate / run.workers / raw:.0%} of raw"
        f" per worker"
    )
    print(
        f"      per job: {run.mean_in_job * 1000:.0f} ms inside the job (raw render"
        f" {1000 / raw:.0f} ms: {1000 / before:.0f} ms before the run, {1000 / after:.0f} ms"
        f" after it), {run.outside_job * 1000:.0f} ms outside it (fork, dequeue,"
        f" RQ bookkeeping); peak RSS: worker {mib(run.peak.parent)}, largest child"
        f" {mib(run.peak.child)} (work-horse or scheduler), together {mib(run.peak.tree)}"
    )
    print(f"      {run.cpu}")
    return run.steady_rate / run.workers / raw


def pipeline(
    app: Flask,
    world: World,
    redis: Redis,
    logs: Path,
    env: dict,
    workers: int,
    count: int,
    simple: bool,
) -> Run:
    """Create count invoices (enqueuing their jobs), then let workers render them all."""
    started = time.perf_counter()
    ids = create_invoices(app, world, count, 30)
    queued = redis.llen("rq:queue:pdf")
    if queued != count:
        raise RuntimeError(f"{queued} jobs on the pdf queue for {count} issued invoices")
    print(
        f"  ({count} issued 30-line invoices created in {time.perf_counter() - started:.1f} s,"
        f" {queued} jobs queued; load average {os.getloadavg()[0]:.2f})"
    )
    job_ids = [f"pdf-{invoice_id}-v1" for invoice_id in ids]
    run = run_workers(redis, logs, workers, "pdf", job_ids, env, simple)
    stored = stored_documents(app, ids)
    if stored != count:
        raise RuntimeError(f"{stored} documents stored for {count} invoices")
    return run


def machine() -> str:
    """CPU count and model, Python version, date."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    return (
        f"{os.cpu_count()} CPUs ({model}), python {sys.version.split()[0]},"
        f" {datetime.now().astimezone():%Y-%m-%d %H:%M %Z},"
        f" load average {os.getloadavg()[0]:.2f}"
    )


def exit_on_sigterm() -> None:
    """Let SIGTERM unwind like Ctrl+C, so the finally blocks stop workers and drop the database."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=int, default=20, help="raw renders of the 30-line invoice")
    parser.add_argument("--large", type=int, default=2, help="raw renders of the 500-line one")
    parser.add_argument("--one", type=int, default=30, help="invoices for the one-worker run")
    parser.add_argument("--two", type=int, default=40, help="invoices for the two-worker run")
    parser.add_argument("--rounds", type=int, default=1, help="one-worker runs of each mode")
    parser.add_argument(
        "--modes",
        default="fork,simple",
        help="worker kinds to run, comma-separated: fork (RQ's default Worker), simple"
        " (--simple, no fork per job)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database backoffice_bench")
    args = parser.parse_args(argv)
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if not modes or set(modes) - {"fork", "simple"}:
        parser.error("--modes takes fork, simple or both")
    exit_on_sigterm()

    print(machine())
    started = time.perf_counter()
    pdf.preload()
    print(f"preload: {time.perf_counter() - started:.2f} s")
    raw, raw_rss = raw_rate(30, args.raw)
    print(
        f"raw in-process, 30 lines: {args.raw} renders, {raw:.2f} PDFs/s"
        f" ({1000 / raw:.0f} ms/PDF), process RSS {raw_rss:.0f} MiB"
    )
    parallel = raw_parallel_rate(2, max(1, args.raw // 2))
    print(
        f"raw in 2 processes at once, 30 lines: {parallel:.2f} PDFs/s together"
        f" ({parallel / raw:.2f}x one process): what 2 CPUs give here"
    )
    if args.large:
        large, large_rss = raw_rate(500, args.large)
        print(
            f"raw in-process, 500 lines: {args.large} renders, {large:.3f} PDFs/s"
            f" ({1 / large:.2f} s/PDF), process RSS {large_rss:.0f} MiB"
        )

    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    temp = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    documents = temp / "documents"
    results: dict[tuple[str, int], list[tuple[Run, float]]] = {}
    try:
        create_database()
        app = make_app({"DOCUMENTS_DIR": str(documents)})
        world = seed(app)
        env = worker_env({"DOCUMENTS_DIR": str(documents)})
        before, _ = raw_rate(30, args.raw)  # the 500-line and parallel renders took a while
        for mode in modes:
            for workers, count, rounds in ((1, args.one, args.rounds), (2, args.two, 1)):
                if count <= 0:
                    continue
                label = f"{workers} {'worker ' if workers == 1 else 'workers'} ({mode})"
                for _ in range(rounds):
                    print(f"{label}:")
                    run = pipeline(app, world, redis, temp, env, workers, count, mode == "simple")
                    after, _ = raw_rate(30, args.raw)
                    ratio = report_run("  " + label, run, before, after)
                    results.setdefault((mode, workers), []).append((run, ratio))
                    before = after
        print("targets:")
        for mode in modes:
            if ones := results.get((mode, 1)):
                ratios = sorted(ratio for _, ratio in ones)
                print(
                    f"  {mode:6}: 1 worker >= 90% of raw: {median(ratios):.0%} steady, the median"
                    f" of {len(ratios)} ({', '.join(f'{ratio:.0%}' for ratio in ratios)})"
                )
            if twos := results.get((mode, 2)):
                two = twos[0][0]
                print(
                    f"  {mode:6}: 2 workers >= 6 PDFs/s: {two.steady_rate:.2f} steady"
                    f" ({two.wall_rate:.2f} with start-up; raw 2-process ceiling {parallel:.2f})"
                )
    finally:
        clean_up(redis, temp, keep=args.keep)


if __name__ == "__main__":
    main()

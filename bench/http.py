"""Screens over HTTP on the large database: each screen's latency, then 20 users browsing.

    .venv/bin/python -m bench.seed_large            # once: the 1M-invoice database
    .venv/bin/python -m bench.http                  # gunicorn -c gunicorn.conf.py on it
    .venv/bin/python -m bench.http --base-url http://127.0.0.1:8000 --users 20 --seconds 60
    .venv/bin/python -m bench.http --screens report --users 0   # the reports alone, no crowd

Without --base-url it starts gunicorn with the production config on `backoffice_large` (a
Redis database of its own) and stops it at the end. It signs in as the demo finance user,
then for every screen of issue 9 makes --warmup untimed and --requests timed requests one at
a time (p50, p95, page size), and finally runs --users clients that each sign in and browse
a random mix of the screens for --seconds (requests/s, p50, p95, errors). With --explain it
also runs each screen once in-process and prints the plan of its slowest SQL statement
(EXPLAIN (ANALYZE, BUFFERS): the top node and the execution time).
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests
from sqlalchemy import create_engine, func, select, text

from backoffice.admin.keyset import encode_cursor
from backoffice.admin.reports.catalogue import REPORTS
from backoffice.demo_data import DEMO_USERS
from models import Customer, Invoice, InvoiceLine, InvoiceStatus

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/backoffice_large"
REDIS_URL = "redis://127.0.0.1:6379/12"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: int = 0

    def line(self, name: str) -> str:
        if not self.seconds:
            return f"| {name} | - | - | - | {self.errors} |"
        ordered = sorted(self.seconds)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        size = statistics.median(self.sizes) / 1024
        return (
            f"| {name} | {statistics.median(ordered) * 1000:.0f} ms | {p95 * 1000:.0f} ms "
            f"| {size:.0f} KB | {self.errors} |"
        )


def sign_in(base: str, role: str = "finance") -> requests.Session:
    client = requests.Session()
    email, password = DEMO_USERS[role]
    token = CSRF.search(client.get(f"{base}/login").text).group(1)
    response = client.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {response.status_code}")
    return client


def list_args(app) -> tuple[dict[str, str], int]:
    """Flask-Admin's numbered filter arguments by "<column> <operation>", and the sort index
    of the total column, from the invoice screen itself."""
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "invoice")
    filters = {
        f"{flt.name} {flt.operation()}".lower(): view.get_filter_arg(index, flt)
        for index, flt in enumerate(view._filters)
    }
    columns = [name for name, _ in view._list_columns]
    return filters, columns.index("total_amount")


def screens(app, database_url: str) -> dict[str, str]:
    """The screens to time, with real ids and texts from the database."""
    filters, total = list_args(app)
    engine = create_engine(database_url)
    with engine.connect() as db:
        company = db.scalar(text("SELECT id FROM companies ORDER BY id LIMIT 1"))
        mine = Invoice.company_id == company
        number = db.scalar(
            select(Invoice.reference)
            .where(mine, Invoice.reference.is_not(None))
            .order_by(Invoice.id.desc())
            .offset(5000)
            .limit(1)
        )
        name = db.scalar(
            select(Customer.name).where(Customer.company_id == company).offset(777).limit(1)
        )
        details = db.scalar(select(Invoice.id).where(mine).offset(12345).limit(1))
        draft = db.scalar(
            select(InvoiceLine.invoice_id)
            .join(Invoice)
            .where(mine, Invoice.status == InvoiceStatus.DRAFT)
            .group_by(InvoiceLine.invoice_id)
            .having(func.count() >= 10)
            .limit(1)
        )
        # Half way down the default order (newest issue date first), where OFFSET would walk
        # half a million rows and "Next rows" seeks.
        middle = db.execute(
            select(Invoice.issue_date, Invoice.id)
            .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
            .offset(500_000)
            .limit(1)
        ).one()
    engine.dispose()
    listing = "/admin/invoice/?"
    year = {f"flt1_{filters['issue date between']}": "2025-01-01 to 2025-12-31"}
    return {
        "invoices, first page": "/admin/invoice/",
        "year filter": listing + urlencode(year),
        "status filter": listing + urlencode({f"flt1_{filters['status equals']}": "sent"}),
        "deep page (row 9,976)": listing + "page=399",
        "next rows at row 500,000": listing + urlencode({"after": encode_cursor(*middle)}),
        "sort by total": listing + f"sort={total}&desc=1",
        "exact number search": listing + urlencode({"search": number}),
        "customer name fragment": listing + urlencode({"search": name.split()[0][1:6]}),
        "global search, number prefix": "/admin/search/?" + urlencode({"q": number[:-2]}),
        "invoice details": f"/admin/invoice/details/?id={details}",
        "draft edit, 10+ lines": f"/admin/invoice/edit/?id={draft}",
        "customers, first page": "/admin/customer/",
        "payments, first page": "/admin/payment/",
        "dashboard (home)": "/admin/",
        **{f"report {name}": f"/admin/reports/{name}" for name in REPORTS},
    }


def timed(client: requests.Session, url: str, timings: Timings) -> None:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        timings.errors += 1
        return
    timings.seconds.append(elapsed)
    timings.sizes.append(len(response.content))


def each_screen(base: str, paths: dict[str, str], warmup: int, count: int) -> None:
    client = sign_in(base)
    print("| screen | p50 | p95 | page | errors |\n|---|---|---|---|---|")
    for name, path in paths.items():
        timings = Timings()
        for _ in range(warmup):
            client.get(base + path)
        for _ in range(count):
            timed(client, base + path, timings)
        print(timings.line(name), flush=True)


def browsing(base: str, paths: dict[str, str], users: int, seconds: float) -> None:
    """`users` clients, each signed in, requesting random screens back to back."""
    clients = [sign_in(base) for _ in range(users)]
    timings = Timings()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def browse(client: requests.Session) -> None:
        mine = Timings()
        while time.monotonic() < deadline:
            timed(client, base + random.choice(list(paths.values())), mine)
        with lock:
            timings.seconds += mine.seconds
            timings.sizes += mine.sizes
            timings.errors += mine.errors

    threads = [threading.Thread(target=browse, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = len(timings.seconds) + timings.errors
    print(f"\n{users} users for {seconds:.0f} s: {done / seconds:.1f} requests/s")
    print("| mix | p50 | p95 | page | errors |\n|---|---|---|---|---|")
    print(timings.line("all screens"))


@contextmanager
def slowest_statements(engine, statements: list):
    """Record (seconds, SQL, parameters) of every statement run inside the block."""
    from sqlalchemy import event

    def before(conn, cursor, statement, parameters, context, executemany):
        context.bench_started = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((time.perf_counter() - context.bench_started, statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def explain(app, paths: dict[str, str]) -> None:
    """Each screen once in-process; the plan of its slowest statement."""
    from backoffice.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    email, password = DEMO_USERS["finance"]
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    for name, path in paths.items():
        statements: list = []
        with slowest_statements(engine, statements):
            client.get(path)
        _, statement, parameters = max(statements, key=lambda item: item[0])
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            lines = plan.scalars().all()
            conn.rollback()
        top = lines[0].split("  (")[0].strip()
        total = next(line for line in lines if line.startswith("Execution Time"))
        print(f"- {name} ({len(statements)} statements): slowest `{top}`, {total}")


@contextmanager
def gunicorn(database_url: str, port: int):
    """The production config, serving the large database."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-http"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def wait_until_up(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/login", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{base} did not answer within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--base-url", help="an app already serving the database")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--screens", help="time only the screens whose name contains this text, e.g. report"
    )
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-http")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = REDIS_URL
    from backoffice.app import create_app

    app = create_app()
    paths = screens(app, args.database_url)
    if args.screens:
        paths = {name: path for name, path in paths.items() if args.screens in name}
    if args.explain:
        explain(app, paths)
    if args.base_url:
        measure(args.base_url, paths, args)
    else:
        with gunicorn(args.database_url, args.port) as base:
            measure(base, paths, args)


def measure(base: str, paths: dict[str, str], args: argparse.Namespace) -> None:
    each_screen(base, paths, args.warmup, args.requests)
    if args.users:
        browsing(base, paths, args.users, args.seconds)


if __name__ == "__main__":
    main()

"""Email pipeline benchmark: 1,000 invoice emails through the outbox and workers into SMTP.

    .venv/bin/python -m bench.email                    # 1,000 emails, forking and --simple
    .venv/bin/python -m bench.email --count 200 --modes simple --keep

Setup (not timed), in the database `backoffice_bench` and Redis db 5:

1. --count issued invoices (--lines lines each) per mode, created through the services; issuing
   enqueues their PDF jobs, which two `flask worker --burst --queue pdf --simple` processes
   render and store first, so each email attaches a stored PDF;
2. per mode, one outbox email per invoice (outbox.queue_invoice_email as a finance user,
   committed in batches of 50; the real dispatcher enqueues an `email-<id>` job per message).

Timed: --workers `flask --app wsgi worker --burst --queue email` processes (RQ's forking Worker,
then with --simple) deliver them to an aiosmtpd server running in this process, which counts
what arrives. Reported: time from spawning the workers to the last message received (this
includes starting the workers, about a second), the steady rate from the first message to the
last, and peak memory of a worker. Checked: exactly --count messages arrived, each with a
PDF attached and its own Message-ID, and every outbox row is `sent`.

The database is dropped and created at the start and dropped at the end unless --keep; Redis
db 5 is emptied before and after; the SMTP server and workers are stopped on the way out.
"""

import argparse
import re
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from flask import Flask
from redis import Redis
from sqlalchemy import func, select

from backoffice.services.delivery import outbox
from bench.pdf import (
    REDIS_URL,
    Run,
    World,
    app_session,
    clean_up,
    create_database,
    create_invoices,
    exit_on_sigterm,
    machine,
    make_app,
    mib,
    run_workers,
    seed,
    stored_documents,
    worker_env,
)
from models import EmailMessage, EmailStatus, Invoice, User

TARGET_SECONDS = 15
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass
class Inbox:
    """What the local SMTP server received: counted, not parsed, to keep its CPU use small."""

    times: list[float] = field(default_factory=list)
    message_ids: set[bytes] = field(default_factory=set)
    with_pdf: int = 0
    size: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler protocol
        content = envelope.content
        header = content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(header)
        with self.lock:
            self.times.append(time.perf_counter())
            self.message_ids.add(found.group(1) if found else b"")
            self.with_pdf += b"Content-Type: application/pdf" in content
            self.size += len(content)
        return "250 Message accepted for delivery"

    def reset(self) -> None:
        with self.lock:
            self.times.clear()
            self.message_ids.clear()
            self.with_pdf = self.size = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def queue_emails(app: Flask, world: World, invoice_ids: list[int], batch: int = 50) -> list[int]:
    """One outbox email per invoice, as a finance clerk clicking Send; commits enqueue jobs."""
    message_ids = []
    with app_session(app) as session:
        actor = session.get(User, world.user_id)
        for number, invoice_id in enumerate(invoice_ids, start=1):
            invoice = session.get(Invoice, invoice_id)
            message_ids.append(outbox.queue_invoice_email(session, actor, invoice).id)
            if number % batch == 0:
                session.commit()
        session.commit()
    return message_ids


def sent_messages(app: Flask, message_ids: list[int]) -> int:
    with app_session(app) as session:
        return session.scalar(
            select(func.count())
            .select_from(EmailMessage)
            .where(EmailMessage.id.in_(message_ids), EmailMessage.status == EmailStatus.SENT)
        )


def outbox_times(app: Flask, message_ids: list[int]) -> tuple[list[datetime], list[datetime]]:
    """When each email's job claimed its outbox row and marked it sent: RQ keeps no finished
    email job (result_ttl 0), so these stand for its start and end, a few milliseconds
    inside them."""
    with app_session(app) as session:
        rows = session.execute(
            select(EmailMessage.claimed_at, EmailMessage.sent_at).where(
                EmailMessage.id.in_(message_ids)
            )
        ).all()
    unsent = sum(1 for row in rows if row.sent_at is None)
    if unsent or len(rows) != len(message_ids):
        raise RuntimeError(f"{unsent} of {len(message_ids)} emails not sent")
    return [row.claimed_at for row in rows], [row.sent_at for row in rows]


@dataclass
class Result:
    mode: str
    run: Run
    to_last: float  # spawn to the last message received
    steady: float  # first message to the last

    @property
    def rate(self) -> float:
        return self.run.jobs / self.to_last

    @property
    def steady_rate(self) -> float:
        return (self.run.jobs - 1) / self.steady if self.steady else float("nan")


def deliver(
    app: Flask,
    world: World,
    redis: Redis,
    inbox: Inbox,
    logs: Path,
    env: dict,
    invoice_ids: list[int],
    workers: int,
    mode: str,
    timeout: float,
) -> Result:
    """Queue an email per invoice, let the workers deliver them, check what arrived."""
    started = time.perf_counter()
    message_ids = queue_emails(app, world, invoice_ids)
    queued = redis.llen("rq:queue:email")
    if queued != len(message_ids):
        raise RuntimeError(f"{queued} jobs on the email queue for {len(message_ids)} emails")
    print(f"  ({queued} emails queued in {time.perf_counter() - started:.1f} s)")
    inbox.reset()
    job_ids = [f"email-{message_id}" for message_id in message_ids]
    run = run_workers(
        redis,
        logs,
        workers,
        "email",
        job_ids,
        env,
        simple=mode == "simple",
        timeout=timeout,
        times=lambda: outbox_times(app, message_ids),
    )
    count = len(message_ids)
    problems = []
    if len(inbox.times) != count:
        problems.append(f"{len(inbox.times)} messages received, not {count}")
    if len(inbox.message_ids) != count:
        problems.append(f"{len(inbox.message_ids)} distinct Message-IDs, not {count}")
    if inbox.with_pdf != count:
        problems.append(f"{inbox.with_pdf} messages with a PDF attached, not {count}")
    sent = sent_messages(app, message_ids)
    if sent != count:
        problems.append(f"{sent} outbox rows sent, not {count}")
    if problems:
        raise RuntimeError("; ".join(problems))
    times = sorted(inbox.times)
    return Result(mode, run, times[-1] - run.spawned, times[-1] - times[0])


def report(result: Result, inbox: Inbox) -> None:
    run = result.run
    print(
        f"  {run.jobs} emails received {result.to_last:.2f} s after spawning the workers"
        f" = {result.rate:.1f} messages/s; steady (first to last message)"
        f" {result.steady:.2f} s = {result.steady_rate:.1f} messages/s;"
        f" workers exited after {run.wall:.2f} s"
    )
    print(
        f"      per job: {run.mean_in_job * 1000:.1f} ms inside the job,"
        f" {run.outside_job * 1000:.1f} ms outside it (fork, dequeue, RQ bookkeeping);"
        f" {inbox.size / run.jobs / 1024:.0f} KiB per message;"
        f" peak RSS: worker {mib(run.peak.parent)}, largest child {mib(run.peak.child)}"
    )
    print(f"      {run.cpu}")
    print(
        f"      checked: {run.jobs} received, {run.jobs} distinct Message-IDs, each with its"
        f" PDF, {run.jobs} outbox rows sent"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="emails per mode")
    parser.add_argument("--lines", type=int, default=3, help="lines per invoice")
    parser.add_argument("--workers", type=int, default=2, help="email worker processes")
    parser.add_argument(
        "--modes",
        default="fork,simple",
        help="worker kinds, comma-separated: fork (RQ's default Worker), simple (--simple)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="give up after (s), per run")
    parser.add_argument("--keep", action="store_true", help="keep the database backoffice_bench")
    args = parser.parse_args(argv)
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if not modes or set(modes) - {"fork", "simple"}:
        parser.error("--modes takes fork, simple or both")
    exit_on_sigterm()

    print(machine())
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    temp = Path(tempfile.mkdtemp(prefix="bench-email-"))
    documents = temp / "documents"
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        create_database()
        smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none"}
        app = make_app({"DOCUMENTS_DIR": str(documents)} | smtp)
        env = worker_env({"DOCUMENTS_DIR": str(documents)} | smtp)
        world = seed(app)

        total = args.count * len(modes)
        started = time.perf_counter()
        invoice_ids = create_invoices(app, world, total, args.lines)
        print(
            f"setup: {total} issued {args.lines}-line invoices in"
            f" {time.perf_counter() - started:.1f} s",
            end="",
        )
        render = run_workers(
            redis,
            temp,
            2,
            "pdf",
            [f"pdf-{i}-v1" for i in invoice_ids],
            env,
            simple=True,
            timeout=args.timeout,
        )
        stored = stored_documents(app, invoice_ids)
        if stored != total:
            raise RuntimeError(f"{stored} PDFs stored for {total} invoices")
        print(f"; their PDFs rendered and stored by 2 --simple workers in {render.wall:.1f} s")

        results = []
        for number, mode in enumerate(modes):
            label = "RQ's forking Worker" if mode == "fork" else "--simple (no fork per job)"
            print(f"{args.workers} email workers, {label}:")
            ids = invoice_ids[number * args.count : (number + 1) * args.count]
            result = deliver(
                app, world, redis, inbox, temp, env, ids, args.workers, mode, args.timeout
            )
            report(result, inbox)
            results.append(result)
        limit = TARGET_SECONDS * args.count / 1000
        print(f"target: {args.count} emails in under {limit:g} s (1,000 in {TARGET_SECONDS} s):")
        for result in results:
            verdict = "met" if result.to_last < limit else "missed"
            print(
                f"  {result.mode:6}: {result.to_last:.1f} s with worker start-up,"
                f" {result.steady:.1f} s first to last message: {verdict}"
            )
    finally:
        controller.stop()
        clean_up(redis, temp, keep=args.keep)


if __name__ == "__main__":
    main()

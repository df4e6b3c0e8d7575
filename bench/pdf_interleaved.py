"""One `--simple` worker against raw rendering, in short batches taken in turn.

    .venv/bin/python -m bench.pdf_interleaved                # 20 batches of 10 invoices
    .venv/bin/python -m bench.pdf_interleaved --batches 30 --size 8

bench.pdf times a whole worker run (30 to 40 jobs, 5 to 15 s) against raw renders timed
before and after it. On a shared host the raw render moves by 10 % and more within a minute,
which moves each run's ratio as much as the worker's own cost does. Here the two take turns
every few seconds, so both see the same machine:

1. setup (not timed): the database `backoffice_bench` (or $BENCH_PDF_DATABASE) is created and
   seeded as by bench.pdf, and --size x (--batches + 1) issued 30-line invoices are created
   through the services, each commit enqueuing its `pdf-<id>-v1` job; the job ids are then
   taken off the pdf queue, and one `flask --app wsgi worker --simple --queue pdf` (not
   --burst: it stays up, as in production) is started;
2. a first batch warms the worker up (not counted); then, --batches times: --size raw renders
   of bench.pdf_raw's 30-line invoice in this process, and --size job ids put back on the
   queue at once for the worker, waited for until the last one has finished;
3. each batch is set against the mean of the raw renders just before and just after it. Its
   cost per job is its inside time (RQ's start to end of each job) plus its outside time
   (dequeue and RQ's bookkeeping: the gaps between its jobs), from RQ's own timestamps.

It prints each batch and then the median ratio, the ratio of the sums, and the spread.
Every invoice must have exactly one stored document at the end. The database is dropped at
the end unless --keep, Redis db 5 (or $BENCH_PDF_REDIS_URL) emptied, the worker stopped.
"""

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from redis import Redis
from rq import Queue
from rq.job import Job

from backoffice.services.delivery import pdf
from bench.pdf import (
    REDIS_URL,
    Workers,
    clean_up,
    create_database,
    create_invoices,
    exit_on_sigterm,
    job_times,
    machine,
    make_app,
    raw_rate,
    seed,
    stored_documents,
    worker_env,
)


@dataclass
class Batch:
    """One batch of jobs worked back to back by the worker, against the raw render around it."""

    inside: float  # mean seconds from a job's start to its end
    outside: float  # mean seconds between one job's end and the next one's start
    raw: float  # seconds per raw render, the mean of just before and just after

    @property
    def per_job(self) -> float:
        return self.inside + self.outside

    @property
    def ratio(self) -> float:
        return self.raw / self.per_job


def work_batch(
    redis: Redis, queue: Queue, job_ids: Sequence[str], timeout: float
) -> tuple[float, float]:
    """Put the jobs on the queue at once, wait for the last; the mean seconds inside a job
    and between two jobs."""
    redis.rpush(queue.key, *job_ids)
    last = Job.key_for(job_ids[-1])
    deadline = time.monotonic() + timeout
    while redis.hget(last, "status") not in (b"finished", b"failed"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_ids[-1]} not finished after {timeout:.0f} s")
        time.sleep(0.05)  # polled from the other CPU, one HGET each time
    starts, ends = job_times(redis, job_ids)  # raises if any job failed
    inside = sum((end - start).total_seconds() for start, end in zip(starts, ends, strict=True))
    span = (max(ends) - min(starts)).total_seconds()
    count = len(job_ids)
    return inside / count, (span - inside) / (count - 1)


def raw_seconds(size: int) -> float:
    """Seconds per raw render of the 30-line invoice, size renders in this process."""
    rate, _ = raw_rate(30, size)
    return 1 / rate


def report(batches: Sequence[Batch]) -> None:
    ratios = sorted(batch.ratio for batch in batches)
    raws = [batch.raw * 1000 for batch in batches]
    overall = sum(batch.raw for batch in batches) / sum(batch.per_job for batch in batches)
    print(
        f"1 --simple worker >= 90% of raw: {median(ratios):.1%} median of {len(ratios)} batches"
        f" ({ratios[0]:.0%} to {ratios[-1]:.0%}), {overall:.1%} of the sums"
    )
    print(
        f"  per job: {1000 * median(b.inside for b in batches):.1f} ms inside (median),"
        f" {1000 * median(b.outside for b in batches):.1f} ms outside;"
        f" raw render {median(raws):.1f} ms (median; {min(raws):.0f} to {max(raws):.0f} ms)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="batches counted")
    parser.add_argument("--size", type=int, default=10, help="invoices per batch (at least 2)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)
    if args.size < 2 or args.batches < 1:
        parser.error("--size takes at least 2 and --batches at least 1")
    exit_on_sigterm()
    print(machine())
    pdf.preload()
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    temp = Path(tempfile.mkdtemp(prefix="bench-pdf-interleaved-"))
    documents = temp / "documents"
    workers = Workers(temp)
    try:
        create_database()
        app = make_app({"DOCUMENTS_DIR": str(documents)})
        world = seed(app)
        ids = create_invoices(app, world, args.size * (args.batches + 1), 30)
        queue = Queue("pdf", connection=redis)
        job_ids = [job_id.decode() for job_id in redis.lrange(queue.key, 0, -1)]
        if len(job_ids) != len(ids):
            raise RuntimeError(f"{len(job_ids)} jobs on the pdf queue for {len(ids)} invoices")
        redis.delete(queue.key)  # handed back to the worker batch by batch
        batches = [job_ids[start : start + args.size] for start in range(0, len(ids), args.size)]
        workers.start(
            1, "pdf", worker_env({"DOCUMENTS_DIR": str(documents)}), simple=True, burst=False
        )
        work_batch(redis, queue, batches[0], timeout=300)  # start-up and first-time costs
        before = raw_seconds(args.size)
        timed = []
        for number, batch_ids in enumerate(batches[1:], start=1):
            inside, outside = work_batch(redis, queue, batch_ids, timeout=300)
            after = raw_seconds(args.size)
            batch = Batch(inside, outside, raw=(before + after) / 2)
            timed.append(batch)
            print(
                f"  batch {number:2}: {batch.ratio:.1%} of raw; per job"
                f" {1000 * batch.inside:.1f} ms inside, {1000 * batch.outside:.1f} ms outside;"
                f" raw {1000 * before:.1f} then {1000 * after:.1f} ms"
            )
            before = after
        stored = stored_documents(app, ids)
        if stored != len(ids):
            raise RuntimeError(f"{stored} documents stored for {len(ids)} invoices")
        report(timed)
    finally:
        workers.stop()
        clean_up(redis, temp, keep=args.keep)


if __name__ == "__main__":
    main()

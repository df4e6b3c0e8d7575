"""Run an RQ worker inside the Flask app context."""

import gc
import logging
import os
import threading

from flask import Flask
from redis import RedisError
from redis.client import Pipeline
from rq import Queue, SimpleWorker, Worker
from rq.job import Job

from backoffice.forking import forget_inherited_connections
from backoffice.services.delivery import pdf

from .queues import connect, queues
from .relay import relay_pass

HEARTBEAT_SECONDS = 10
# A running job counts as abandoned this long after its last heartbeat. RQ's own slack is a
# fixed 60 s, which alone would spend most of the 90 s a killed worker's job may wait.
HEARTBEAT_GRACE_SECONDS = 20
# RQ blocks an idle worker in BLPOP for worker_ttl - 15 s and runs maintenance only between
# two of those waits: the TTL is derived from the maintenance interval to keep its pace.
DEQUEUE_MARGIN_SECONDS = 15
log = logging.getLogger(__name__)


class _RoutineAtDebug(logging.Filter):
    """Logs RQ's "cleaning registries for queue" at DEBUG. At INFO it printed a line per queue
    every maintenance pass (30 lines a minute, idle or not), burying the lines about jobs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "cleaning registries" not in str(record.msg):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


class _Relaying:
    """A worker whose maintenance (at start, then every maintenance interval) also runs the
    relay: between jobs, in the worker's own thread, never in a forked work-horse."""

    # RQ's fourth log line per job ("result is kept for 500 seconds") says the same each time.
    log_result_lifespan = False

    def __init__(self, *args, app: Flask, **kwargs) -> None:
        self.app = app
        super().__init__(*args, **kwargs)
        rq_log = self.log  # type: ignore[attr-defined]
        if not any(isinstance(each, _RoutineAtDebug) for each in rq_log.filters):
            rq_log.addFilter(_RoutineAtDebug())

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()  # type: ignore[misc]
        try:
            relay_pass(self.app)
        except Exception:  # PostgreSQL away: the next maintenance pass tries again
            log.exception("Relay pass failed")

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        """Push back the worker's expiry in one round trip to Redis.

        Given no pipeline, RQ sends its two commands one at a time, and it beats three times
        around every job: 18 round trips per job become 15 (docs/BENCHMARKS.md).
        """
        if pipeline is not None:
            super().heartbeat(timeout, pipeline)  # type: ignore[misc]
            return
        with self.connection.pipeline(transaction=False) as batch:  # type: ignore[attr-defined]
            super().heartbeat(timeout, batch)  # type: ignore[misc]
            batch.execute()

    def get_heartbeat_ttl(self, job: Job) -> int:
        """Seconds after a heartbeat before another worker's maintenance retries the job."""
        return HEARTBEAT_SECONDS + HEARTBEAT_GRACE_SECONDS


class RelayingWorker(_Relaying, Worker):
    pass


class RelayingSimpleWorker(_Relaying, SimpleWorker):
    def perform_job(self, job: Job, queue: Queue) -> bool:
        """Run the job here while a thread keeps its heartbeat.

        RQ's simple worker sends none until the job ends, so a killed worker's job would look
        alive for its whole timeout plus 60 s (the 4 min of issue 8).
        """
        done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, done), daemon=True)
        beat.start()
        try:
            return super().perform_job(job, queue)
        finally:
            done.set()
            beat.join()

    def _beat(self, job: Job, done: threading.Event) -> None:
        while not done.wait(HEARTBEAT_SECONDS):
            try:
                self.maintain_heartbeats(job)
            except RedisError:  # Redis away: RQ itself fails the job if it stays away
                log.warning("Heartbeat of job %s failed", job.id, exc_info=True)


def run_worker(
    app: Flask, burst: bool = False, queue_names: tuple[str, ...] = (), simple: bool = False
) -> None:
    """Serve every queue with the scheduler on, so Retry intervals and delayed jobs run.

    The PDF stack and its fonts load here, once, before RQ forks a work-horse per job:
    otherwise every job pays for importing them again. A simple worker runs jobs in its own
    process without forking: faster for many small jobs (email), but a job that crashes the
    process takes the worker down with it.
    """
    pdf.preload()
    # Move everything loaded so far out of the collector's reach: forked work-horses then
    # share those pages with the parent instead of copying them when the collector runs.
    gc.freeze()
    os.register_at_fork(after_in_child=lambda: forget_inherited_connections(app))
    connection = connect(app.config["REDIS_URL"])
    maintenance = int(app.config["WORKER_MAINTENANCE_SECONDS"])
    worker_class = RelayingSimpleWorker if simple else RelayingWorker
    worker = worker_class(
        queues(connection, queue_names),
        connection=connection,
        app=app,
        maintenance_interval=maintenance,
        worker_ttl=maintenance + DEQUEUE_MARGIN_SECONDS,
        job_monitoring_interval=HEARTBEAT_SECONDS,
    )
    # RQ logs through the app's one handler (backoffice/logs.py) at the app's level.
    worker.work(with_scheduler=True, burst=burst, logging_level=app.config["LOG_LEVEL"])

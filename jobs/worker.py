"""Run an RQ worker inside the Flask app context."""

import gc
import logging
import os

from flask import Flask
from rq import SimpleWorker, Worker

from backoffice.extensions import db
from backoffice.services.delivery import pdf

from .queues import connect, queues
from .relay import relay_pass

HEARTBEAT_SECONDS = 10
log = logging.getLogger(__name__)


class _Relaying:
    """A worker whose maintenance (at start, then every maintenance interval) also runs the
    relay: between jobs, in the worker's own thread, never in a forked work-horse."""

    def __init__(self, *args, app: Flask, **kwargs) -> None:
        self.app = app
        super().__init__(*args, **kwargs)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()  # type: ignore[misc]
        try:
            relay_pass(self.app)
        except Exception:  # PostgreSQL away: the next maintenance pass tries again
            log.exception("Relay pass failed")


class RelayingWorker(_Relaying, Worker):
    pass


class RelayingSimpleWorker(_Relaying, SimpleWorker):
    pass


def _forget_inherited_connections(app: Flask) -> None:
    # A forked work-horse must not reuse the parent's PostgreSQL sockets.
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


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
    os.register_at_fork(after_in_child=lambda: _forget_inherited_connections(app))
    connection = connect(app.config["REDIS_URL"])
    # A killed worker's job counts as abandoned once its heartbeat lapses (the monitoring
    # interval plus RQ's fixed 60 s) and is retried at another worker's next maintenance
    # pass: about 70 s plus WORKER_MAINTENANCE_SECONDS in all.
    worker_class = RelayingSimpleWorker if simple else RelayingWorker
    worker = worker_class(
        queues(connection, queue_names),
        connection=connection,
        app=app,
        maintenance_interval=int(app.config["WORKER_MAINTENANCE_SECONDS"]),
        job_monitoring_interval=HEARTBEAT_SECONDS,
    )
    # RQ logs through the app's one handler (backoffice/logs.py) at the app's level.
    worker.work(with_scheduler=True, burst=burst, logging_level=app.config["LOG_LEVEL"])

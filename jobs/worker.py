"""Run an RQ worker inside the Flask app context."""

from flask import Flask
from rq import Worker

from .queues import connect, queues


def run_worker(app: Flask, burst: bool = False) -> None:
    """Serve every queue with the scheduler on, so Retry intervals and delayed jobs run."""
    connection = connect(app.config["REDIS_URL"])
    worker = Worker(queues(connection), connection=connection)
    worker.work(with_scheduler=True, burst=burst)

"""What a worker tells Redis and the log around its jobs: heartbeats that keep a long job alive
in RQ's registry, and no log line that says the same after every job
or every maintenance pass."""

import threading
import time

from rq import Queue
from rq.registry import StartedJobRegistry
from rq.utils import utcformat

from jobs.worker import HEARTBEAT_GRACE_SECONDS, HEARTBEAT_SECONDS, RelayingSimpleWorker
from tests.logcapture import log_lines


def abandoned_at(redis, registry: StartedJobRegistry, job_id: str) -> float | None:
    """When RQ would count the job's run abandoned: its score in the started registry."""
    for job, execution in registry.get_job_and_execution_ids(cleanup=False):
        if job == job_id:
            return redis.zscore(registry.key, f"{job}:{execution}")
    return None


def test_a_simple_worker_beats_while_its_job_runs(jobs_app, redis):
    queue = Queue("default", connection=redis)
    job = queue.enqueue("time.sleep", HEARTBEAT_SECONDS + 3, job_timeout=180)
    registry = StartedJobRegistry("default", connection=redis)
    seen: list[tuple[float, float]] = []  # (when, abandoned at)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.5):
            if deadline := abandoned_at(redis, registry, job.id):
                seen.append((time.time(), deadline))

    watcher = threading.Thread(target=watch)
    watcher.start()
    worker = RelayingSimpleWorker(
        [queue], connection=redis, app=jobs_app, job_monitoring_interval=HEARTBEAT_SECONDS
    )
    try:
        worker.work(burst=True)  # in this thread: RQ's job timeout needs the main thread
    finally:
        done.set()
        watcher.join()
    assert job.get_status(refresh=True) == "finished"
    # Never RQ's job timeout + 60 s: a killed worker's job is found 30 s after its last beat.
    assert all(
        deadline - when <= HEARTBEAT_SECONDS + HEARTBEAT_GRACE_SECONDS for when, deadline in seen
    )
    assert seen[-1][1] - seen[0][1] >= HEARTBEAT_SECONDS - 1  # pushed back while the job ran


def test_a_heartbeat_pushes_back_the_workers_expiry(jobs_app, redis):
    # The worker sends its two commands together; both must still reach Redis, or the Jobs
    # screen and other workers' maintenance would count a busy worker dead.
    worker = RelayingSimpleWorker(
        [Queue("default", connection=redis)], connection=redis, app=jobs_app
    )
    worker.register_birth()
    try:
        redis.expire(worker.key, 5)
        worker.heartbeat(120)
        assert redis.ttl(worker.key) > 100
        assert redis.hget(worker.key, "last_heartbeat").decode() == utcformat(worker.last_heartbeat)
    finally:
        worker.register_death()


def test_a_finished_job_is_logged_without_the_line_that_repeats_every_time(jobs_app, redis):
    queue = Queue("default", connection=redis)
    job = queue.enqueue("time.sleep", 0)
    worker = RelayingSimpleWorker([queue], connection=redis, app=jobs_app)
    with log_lines() as lines:
        worker.work(burst=True)
    assert any(f"Job OK ({job.id})" in line for line in lines), lines
    assert not any("is kept for" in line for line in lines), lines


def test_maintenance_says_it_cleans_the_registries_only_at_debug(jobs_app, redis):
    # A line per queue every maintenance pass (10 s): 30 lines a minute of the same, burying
    # the lines about jobs in `make run`'s terminal and in production logs.
    queue = Queue("default", connection=redis)
    with log_lines() as quiet:
        RelayingSimpleWorker([queue], connection=redis, app=jobs_app).work(burst=True)
    with log_lines() as debug:
        worker = RelayingSimpleWorker([queue], connection=redis, app=jobs_app)
        worker.work(burst=True, logging_level="DEBUG")
    assert any("cleaning registries for queue: default" in line for line in debug), debug
    assert any("*** Listening on default" in line for line in quiet), quiet
    assert not any("cleaning registries" in line for line in quiet), quiet

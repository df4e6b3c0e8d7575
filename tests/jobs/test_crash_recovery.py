"""A worker killed while it renders: the job runs again and exactly one document is stored.

Real `flask worker` processes, killed with SIGKILL. A killed work-horse child is noticed by
its parent at once; a killed worker (parent and child) is noticed only when its heartbeat
lapses and another worker's maintenance pass runs, about 75 s here.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from backoffice.services.invoicing import lifecycle
from models import StoredDocument
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
LINES = 400  # a few seconds of rendering: long enough to be killed in the middle


def start_worker(database_url, redis_url: str, documents: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=database_url.render_as_string(hide_password=False),
        REDIS_URL=redis_url,
        SECRET_KEY="worker-test",
        DOCUMENTS_DIR=str(documents),
        WORKER_MAINTENANCE_SECONDS="3",
        JOB_RETRY_INTERVALS="1,1,1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: killpg takes the work-horse too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def issue_long_invoice(world):
    lines = [
        factories.line(world.vat19, "1", "10.00", description=f"Item {n}") for n in range(LINES)
    ]
    draft = factories.make_draft(world.session, world.finance, world.customer, lines)
    invoice = lifecycle.issue(world.session, world.finance, draft, factories.ISSUE_DAY)
    world.session.commit()  # enqueues pdf-<id>-v1
    return invoice


def documents_stored(world) -> int:
    world.session.expire_all()
    return world.session.scalar(select(func.count()).select_from(StoredDocument))


def rendering(redis, job_id: str) -> bool:
    return job_id in StartedJobRegistry("pdf", connection=redis).get_job_ids()


def scheduler_pids(redis) -> set[int]:
    """Pids of the RQ scheduler processes, from their hashes under rq:scheduler:<name>."""
    pids = set()
    for key in redis.scan_iter("rq:scheduler:*"):
        if redis.type(key) == b"hash" and (pid := redis.hget(key, "pid")):
            pids.add(int(pid))
    return pids


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


@pytest.fixture
def workers(live_app):
    started: list[subprocess.Popen] = []
    yield started
    for worker in started:
        stop(worker)


def test_killed_work_horse_reruns_and_stores_one_document(
    live_app, redis, world, workers, database_url, tmp_path
):
    invoice = issue_long_invoice(world)
    job_id = f"pdf-{invoice.id}-v1"
    worker = start_worker(database_url, live_app.config["REDIS_URL"], tmp_path)
    workers.append(worker)
    wait_for(lambda: rendering(redis, job_id), 60, "the render to start")
    # The worker's children are its RQ scheduler (which records its pid in Redis) and the
    # work-horse forked for this job.
    wait_for(lambda: scheduler_pids(redis), 30, "the scheduler to register")
    children = psutil.Process(worker.pid).children()
    [horse] = [child for child in children if child.pid not in scheduler_pids(redis)]
    horse.kill()  # SIGKILL the child that renders; its parent survives
    horse.wait(10)
    assert documents_stored(world) == 0  # killed before it could store anything
    assert worker.poll() is None  # the worker itself lives on and runs the job again

    wait_for(lambda: documents_stored(world) == 1, 90, "the rerun to store the PDF")
    time.sleep(2)  # a duplicate run, if any, would store its row now
    assert documents_stored(world) == 1
    document = world.session.scalars(select(StoredDocument)).one()
    assert (tmp_path / document.storage_key).stat().st_size == document.size_bytes


def test_killed_worker_is_recovered_by_another_and_stores_one_document(
    live_app, redis, world, workers, database_url, tmp_path
):
    invoice = issue_long_invoice(world)
    job_id = f"pdf-{invoice.id}-v1"
    first = start_worker(database_url, live_app.config["REDIS_URL"], tmp_path)
    workers.append(first)
    wait_for(lambda: rendering(redis, job_id), 60, "the render to start")
    os.killpg(first.pid, signal.SIGKILL)  # the whole worker dies mid-render
    first.wait()
    assert documents_stored(world) == 0

    workers.append(start_worker(database_url, live_app.config["REDIS_URL"], tmp_path))
    wait_for(lambda: documents_stored(world) == 1, 180, "another worker to recover the job")
    time.sleep(2)
    assert documents_stored(world) == 1

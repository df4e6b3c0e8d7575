"""A worker killed while it renders: the job runs again within 90 s, one document is stored.

Real processes with the real default settings, killed with SIGKILL: the production command
`flask --app wsgi worker` (a killed work-horse; a killed worker restarted as a supervisor
would), and `make run`'s stack, which restarts its `--simple` worker itself. The times
measured are printed (`pytest -s`) and recorded in docs/BENCHMARKS.md.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from flask import Flask
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.services.invoicing import lifecycle
from models import StoredDocument
from tests import factories
from tests.jobs.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
LINES = 400  # a few seconds of rendering: long enough to be killed in the middle
BOUND = 90  # seconds from the kill until the job runs again (README, Killed workers)


def environment(database_url, redis_url: str, documents: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=database_url.render_as_string(hide_password=False),
        REDIS_URL=redis_url,
        SECRET_KEY="worker-test",
        DOCUMENTS_DIR=str(documents),
    )


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        # Its own process group: killpg takes the worker's scheduler and work-horse too.
        return subprocess.Popen(
            argv, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out
        )


def wait_for(condition, timeout: float, what: str) -> float:
    """Poll until condition() holds; return the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)
    return time.monotonic() - started


@pytest.fixture
def render_job(world, shared_app: Flask) -> str:
    """Issue an invoice whose PDF takes a while; return its render job's id.

    The job is enqueued as the deployed app does (default JOB_RETRY_INTERVALS: the first
    retry 10 s later, moved to the queue by a scheduler), not with the job tests' 0 s.
    """
    with Session(world.session.get_bind()) as session:
        shared_app.extensions["dispatcher"].attach(session)
        finance, customer, vat19 = (
            session.merge(row) for row in (world.finance, world.customer, world.vat19)
        )
        lines = [factories.line(vat19, "1", "10.00", description=f"#{n}") for n in range(LINES)]
        draft = factories.make_draft(session, finance, customer, lines)
        invoice = lifecycle.issue(session, finance, draft, factories.ISSUE_DAY)
        session.commit()  # enqueues pdf-<id>-v1
        return f"pdf-{invoice.id}-v1"


def documents_stored(world) -> int:
    world.session.expire_all()
    return world.session.scalar(select(func.count()).select_from(StoredDocument))


def executions(redis, job_id: str) -> set[str]:
    """The job's runs under way, as RQ records them (without cleaning up: that would be
    this test recovering the job instead of the workers)."""
    registry = StartedJobRegistry("pdf", connection=redis)
    return {run for job, run in registry.get_job_and_execution_ids(cleanup=False) if job == job_id}


def rendering(redis, job_id: str) -> set[str]:
    wait_for(lambda: executions(redis, job_id), 120, "the render to start")
    return executions(redis, job_id)


def assert_reruns_once(world, redis, job_id: str, killed: set[str], what: str) -> None:
    """The job runs again within the bound and stores exactly one document."""
    assert documents_stored(world) == 0  # killed before it could store anything
    took = wait_for(
        lambda: executions(redis, job_id) - killed or documents_stored(world),
        BOUND,
        f"the job to run again after {what}",
    )
    print(f"\n{what}: the job ran again {took:.1f} s after the kill")
    wait_for(lambda: documents_stored(world) == 1, 120, "the rerun to store the PDF")
    time.sleep(2)  # a duplicate run, if any, would store its row now
    assert documents_stored(world) == 1


def scheduler_pids(redis) -> set[int]:
    """Pids of the RQ scheduler processes, from their hashes under rq:scheduler:<name>."""
    pids = set()
    for key in redis.scan_iter("rq:scheduler:*"):
        if redis.type(key) == b"hash" and (pid := redis.hget(key, "pid")):
            pids.add(int(pid))
    return pids


def kill_worker(pid: int) -> None:
    """SIGKILL a worker, its scheduler and its work-horse (in a process group of its own), as
    a machine, a container or the OOM killer would."""
    worker = psutil.Process(pid)
    children = worker.children(recursive=True)
    for proc in [worker, *children]:  # the parent first: it must not handle the horse's death
        proc.kill()


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def started(live_app):
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:
        stop(proc)


@pytest.fixture
def env(live_app, database_url, tmp_path) -> dict[str, str]:
    return environment(database_url, live_app.config["REDIS_URL"], tmp_path)


WORKER = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]


def test_killed_work_horse_reruns_and_stores_one_document(
    redis, world, render_job, started, env, tmp_path
):
    job_id = render_job
    worker = start(WORKER, env, tmp_path / "worker.log")
    started.append(worker)
    killed = rendering(redis, job_id)
    # The worker's children are its RQ scheduler, started with the worker, and the work-horse
    # forked for this job: the newest. Found at once, while it renders (waiting for the
    # scheduler to register first let a fast render finish).
    horse = max(psutil.Process(worker.pid).children(), key=lambda child: child.create_time())
    assert horse.pid not in scheduler_pids(redis)
    horse.kill()  # SIGKILL the child that renders; its parent survives
    horse.wait(10)
    assert_reruns_once(world, redis, job_id, killed, "a killed work-horse")
    assert worker.poll() is None  # the worker itself lived on and ran the job again


def test_killed_worker_restarted_by_its_supervisor_reruns_its_job(
    redis, world, render_job, started, env, tmp_path
):
    job_id = render_job
    first = start(WORKER, env, tmp_path / "worker.log")
    started.append(first)
    killed = rendering(redis, job_id)
    kill_worker(first.pid)  # mid-render
    first.wait()
    # What systemd's Restart=always does (README, Production): the same command again.
    started.append(start(WORKER, env, tmp_path / "worker.log"))
    assert_reruns_once(world, redis, job_id, killed, "a killed worker, restarted")


def worker_of(stack: subprocess.Popen) -> psutil.Process | None:
    """The RQ worker `make run` serves, if it runs."""
    children = psutil.Process(stack.pid).children()
    return next((child for child in children if "worker" in child.cmdline()), None)


def test_make_run_restarts_a_killed_worker_and_its_job_reruns(
    redis, world, render_job, started, env, tmp_path
):
    job_id = render_job
    env = dict(env, PORT=str(free_port()), BACKOFFICE_INSTANCE_DIR=str(tmp_path))
    devstack = [sys.executable, "-m", "backoffice.devstack", "run"]  # what `make run` runs
    stack = start(devstack, env, tmp_path / "devstack.log")
    started.append(stack)
    killed = rendering(redis, job_id)
    worker = worker_of(stack)
    assert worker is not None
    kill_worker(worker.pid)  # mid-render
    assert_reruns_once(world, redis, job_id, killed, "make run's killed worker")
    restarted = worker_of(stack)
    assert restarted is not None and restarted.pid != worker.pid
    stack.send_signal(signal.SIGTERM)
    assert stack.wait(60) == 0

"""gunicorn.conf.py for real: two preloaded workers, each on connections of its own."""

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from backoffice.devstack.embedded import free_port, listening
from backoffice.devstack.procs import stop_processes, wait_until
from models import Role
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EMAIL = "gunicorn@test.example"


@pytest.fixture
def user(committed_engine: Engine) -> str:
    with Session(committed_engine) as session:
        company = factories.make_company(session)
        factories.make_user(session, Role.ADMIN, companies=[company], email=EMAIL)
        session.commit()
    return EMAIL


@pytest.fixture
def server(database_url: URL, user: str) -> Iterator[tuple[psutil.Process, int]]:
    """gunicorn -c gunicorn.conf.py with WEB_CONCURRENCY=2, until its two workers listen."""
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url.render_as_string(hide_password=False),
        SECRET_KEY="test-secret",
        WEB_CONCURRENCY="2",
        PORT=str(port),
    )
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    proc = subprocess.Popen(
        [*argv, "tests.serving.preloaded_wsgi:app"], cwd=ROOT, env=env, start_new_session=True
    )
    master = psutil.Process(proc.pid)
    try:
        started = wait_until(
            lambda: proc.poll() is not None or (listening(port) and len(master.children()) == 2),
            120,
        )
        assert started and proc.poll() is None, "gunicorn did not start two workers"
        yield master, port
    finally:
        stop_processes([proc])


def sign_in(port: int) -> int:
    """Sign in over HTTP as a browser would; return the home page's status."""
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    form = {"email": EMAIL, "password": factories.DEFAULT_PASSWORD}
    form["csrf_token"] = CSRF_INPUT.search(page).group(1)
    opener.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=30)
    return opener.open(f"{base}/admin/", timeout=30).status


def connection_owners(engine: Engine) -> list[str]:
    """application_name of every connection to the test database (backoffice/<pid>)."""
    query = text(
        "SELECT application_name FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with engine.connect() as conn:
        return list(conn.scalars(query))


def redis_ports(process: psutil.Process) -> set[int]:
    """Local ports of the process's connections to Redis."""
    return {
        c.laddr.port for c in process.net_connections("tcp") if c.raddr and c.raddr.port == 6379
    }


def test_each_worker_serves_on_connections_of_its_own(server, committed_engine):
    master, port = server
    workers = master.children()
    names = {f"backoffice/{worker.pid}" for worker in workers}
    # The master's own connection, opened before the fork (preloaded_wsgi.py).
    assert f"backoffice/{master.pid}" in connection_owners(committed_engine)
    master_redis = redis_ports(master)
    assert master_redis

    def every_worker_connected() -> bool:
        # Logins in parallel until both workers have served some: which worker accepts a
        # connection is up to the kernel.
        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(sign_in, [port] * 4)) == {200}
        return names <= set(connection_owners(committed_engine))

    assert wait_until(every_worker_connected, 120), connection_owners(committed_engine)
    for worker in workers:
        # Sign-in throttling counted in Redis through a connection the master never had.
        assert redis_ports(worker) - master_redis

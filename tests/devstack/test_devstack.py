"""backoffice.devstack on the real servers: resolution order, crash recovery, shutdown."""

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from cryptography.fernet import Fernet

from backoffice.devstack import __main__ as cli
from backoffice.devstack.embedded import (
    EmbeddedError,
    EmbeddedRedis,
    clean_stale_pgserver_state,
    pid_alive,
    port_is_free,
)
from backoffice.devstack.procs import Supervised
from backoffice.devstack.resolve import (
    LOCAL_REDIS_URL,
    Services,
    ensure_database,
    libpq_url,
    local_postgres_url,
    redact,
    redis_reachable,
    resolve,
    with_database,
    with_redis_db,
)

ROOT = Path(__file__).resolve().parents[2]
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/backoffice"
needs_local = pytest.mark.skipif(
    local_postgres_url() is None or not redis_reachable(LOCAL_REDIS_URL),
    reason="no local PostgreSQL on 127.0.0.1:5432 or Redis on 127.0.0.1:6379",
)


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_urls_from_the_environment_are_used_as_is(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://app:secret@db.invalid:6543/prod?sslmode=require",
        "REDIS_URL": "redis://:pw@cache.invalid:6390/3",
    }
    services = Services()
    resolve(services, env, tmp_path, slot="t")
    assert services.database_url == env["DATABASE_URL"]
    assert services.redis_url == env["REDIS_URL"]
    assert services.embedded == []
    assert list(tmp_path.iterdir()) == []  # nothing embedded was prepared


@needs_local
def test_without_urls_the_local_servers_are_used(tmp_path: Path) -> None:
    services = Services()
    resolve(services, {}, tmp_path, slot="t")
    assert services.database_url == LOCAL_PG
    assert services.redis_url == "redis://127.0.0.1:6379/0"
    assert services.sources == {"PostgreSQL": "local", "Redis": "local"}
    assert services.embedded == []


@needs_local
def test_ensure_database_creates_a_missing_database_once() -> None:
    url = with_database(LOCAL_PG, "backoffice_devstack_probe")
    drop = "DROP DATABASE IF EXISTS backoffice_devstack_probe"
    with psycopg.connect(libpq_url(with_database(url, "postgres")), autocommit=True) as conn:
        conn.execute(drop)
        try:
            assert ensure_database(url) is True
            assert ensure_database(url) is False
            with psycopg.connect(libpq_url(url)) as probe:
                assert probe.execute("SELECT current_database()").fetchone() == (
                    "backoffice_devstack_probe",
                )
        finally:
            conn.execute(drop)


def test_test_urls_are_derived_on_the_same_server() -> None:
    socket_url = "postgresql+psycopg://postgres@/backoffice?host=/srv/pgdata"
    assert with_database(socket_url, "backoffice_test") == (
        "postgresql+psycopg://postgres@/backoffice_test?host=/srv/pgdata"
    )
    assert with_database(LOCAL_PG, "x") == "postgresql+psycopg://postgres@127.0.0.1:5432/x"
    assert with_redis_db("redis://127.0.0.1:6379/0", 1) == "redis://127.0.0.1:6379/1"
    assert with_redis_db("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"
    assert libpq_url(socket_url) == "postgresql://postgres@/backoffice?host=/srv/pgdata"
    assert redact("postgresql://u:s3cret@h/db") == "postgresql://u:***@h/db"


def test_stale_pgserver_pids_are_cleaned(tmp_path: Path) -> None:
    gone = dead_pid()
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([gone, os.getpid()]))
    (tmp_path / "postmaster.pid").write_text(f"{gone}\n{tmp_path}\n0\n5432\n\n\n\nready\n")

    removed = clean_stale_pgserver_state(tmp_path)

    assert json.loads(handles.read_text()) == [os.getpid()]  # a live devstack stays
    assert not (tmp_path / "postmaster.pid").exists()
    assert removed == [f"stale handle pid {gone}", "stale postmaster.pid"]


def test_a_recycled_postmaster_pid_is_not_trusted(tmp_path: Path) -> None:
    # A live process that is not our postgres (a pid reused after a reboot).
    (tmp_path / "postmaster.pid").write_text(f"{os.getpid()}\n{tmp_path}\n0\n5432\n\n\n\nready\n")
    (tmp_path / ".handle_pids.json").write_text(json.dumps([dead_pid()]))
    clean_stale_pgserver_state(tmp_path)
    assert not (tmp_path / "postmaster.pid").exists()
    assert not (tmp_path / ".handle_pids.json").exists()


def test_port_is_free_sees_a_listener() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not port_is_free(port)
    assert port_is_free(port)


def test_embedded_redis_refuses_a_data_dir_in_use(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path)
    try:
        url = first.start()
        assert url.startswith("redis://127.0.0.1:")
        with pytest.raises(EmbeddedError, match="in use"):
            EmbeddedRedis(tmp_path).start()
    finally:
        first.stop()
    assert first.gone()


def test_secret_key_is_made_once_and_private(tmp_path: Path) -> None:
    key = cli.secret_key(tmp_path)
    assert len(key) == 64
    assert cli.secret_key(tmp_path) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_sync_key_is_a_fernet_key_made_once_and_private(tmp_path: Path) -> None:
    key = cli.sync_key(tmp_path)
    Fernet(key)  # a valid key, or this raises
    assert cli.sync_key(tmp_path) == key
    assert (tmp_path / "sync_encryption_key").stat().st_mode & 0o777 == 0o600


def serve_stand_ins(monkeypatch: pytest.MonkeyPatch, web: str, worker: str) -> list[cli.Stack]:
    """Serve Python one-liners in place of gunicorn and the flask commands (setup steps
    succeed); return the stacks served, once serving ends."""
    monkeypatch.setenv("SECRET_KEY", "not-from-instance")
    monkeypatch.setattr(cli, "web_server", lambda port: [sys.executable, "-c", web])
    monkeypatch.setattr(
        cli,
        "flask",
        lambda command, *args: [sys.executable, "-c", worker if command == "worker" else ""],
    )
    stacks: list[cli.Stack] = []

    def until(stack: cli.Stack, port: int) -> int:
        stacks.append(stack)
        return cli.wait_for_signal(stack, port)

    services = Services(LOCAL_PG, LOCAL_REDIS_URL, {"PostgreSQL": "from DATABASE_URL"})
    assert cli.serve(services, cli.free_port(), until) == 1
    return stacks


def test_a_worker_that_keeps_dying_stops_the_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    [stack] = serve_stand_ins(monkeypatch, "import time; time.sleep(60)", "raise SystemExit(3)")
    assert len(stack.worker.starts) == Supervised.BURST  # restarted until the burst limit
    assert stack.worker.proc.returncode == 3
    assert stack.web.returncode == -signal.SIGTERM


def test_a_dying_web_app_stops_the_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    [stack] = serve_stand_ins(monkeypatch, "raise SystemExit(3)", "import time; time.sleep(60)")
    assert stack.web.returncode == 3
    assert stack.worker.proc.returncode == -signal.SIGTERM
    assert len(stack.worker.starts) == 1


# -- embedded servers through the real command line -----------------------------------------


@pytest.fixture
def devstack_env(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    """Starter of `python -m backoffice.devstack env` on embedded servers in tmp_path."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    # Whatever a failed test left behind: kill -9 leaves the servers running.
    pidfiles = [tmp_path / "pgdata18/postmaster.pid", *tmp_path.glob("valkey/*/valkey.pid")]
    for pidfile in pidfiles:
        if pidfile.exists():
            pid = int(pidfile.read_text().split()[0])
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


def start_env(tmp_path: Path, started: list[subprocess.Popen[str]]) -> tuple[dict, str]:
    """Start `devstack env`, return its URLs and its progress lines."""
    env = dict(os.environ, BACKOFFICE_EMBEDDED="1", BACKOFFICE_INSTANCE_DIR=str(tmp_path))
    command = [sys.executable, "-m", "backoffice.devstack", "env"]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    started.append(proc)
    assert proc.stdout is not None and proc.stderr is not None
    urls = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(2))
    progress = ""
    while "stay up" not in progress:
        line = proc.stderr.readline()
        assert line, f"devstack env died: {progress}"
        progress += line
    return urls, progress


def assert_servers_answer(urls: dict) -> None:
    with psycopg.connect(libpq_url(urls["DATABASE_URL"]), connect_timeout=5) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("backoffice",)
    with redis.Redis.from_url(urls["REDIS_URL"], socket_timeout=5) as client:
        assert client.ping()


def test_embedded_servers_survive_kill_9_and_stop_on_sigterm(
    tmp_path: Path, devstack_env: list[subprocess.Popen[str]]
) -> None:
    urls, _ = start_env(tmp_path, devstack_env)
    assert_servers_answer(urls)
    orphan_redis_port = int(urls["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])

    devstack_env[0].kill()  # no cleanup at all: both servers are left running
    devstack_env[0].wait()
    urls, progress = start_env(tmp_path, devstack_env)
    assert "stale handle pid" in progress
    assert "adopted running postgres left by a crashed run" in progress
    assert "stopped orphan valkey-server" in progress
    assert port_is_free(orphan_redis_port)
    assert_servers_answer(urls)
    postmaster = int((tmp_path / "pgdata18/postmaster.pid").read_text().split()[0])
    valkey = int((tmp_path / "valkey/env/valkey.pid").read_text())
    redis_port = int(urls["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])

    devstack_env[1].send_signal(signal.SIGTERM)
    assert devstack_env[1].wait(20) == 0
    assert not pid_alive(postmaster) and not pid_alive(valkey)
    assert port_is_free(redis_port)
    assert not (tmp_path / "pgdata18/postmaster.pid").exists()

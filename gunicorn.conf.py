"""Production gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app` (README, Production).

Environment: WEB_CONCURRENCY (worker processes, default 2 x CPUs + 1), WEB_THREADS (threads
per worker, default 4), PORT (default 8000, on all interfaces) or GUNICORN_CMD_ARGS for
anything else. Command-line options win over this file.
"""

import gc
import os


def cpu_count() -> int:
    """CPUs this process may run on (a container's or taskset's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cpu_count() + 1))
# Threads: a request spends much of its time waiting on PostgreSQL and Redis, and a thread of
# the same worker uses that wait; keep-alive connections (a page's CSS and scripts) are then
# held open, and a slow client occupies one thread, not a whole process (sync workers have
# neither). Four per worker: the CPU-bound part (templates) holds the GIL anyway.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
# One connection per thread, so no thread waits for the pool (config.py, DATABASE_POOL_SIZE).
os.environ.setdefault("DATABASE_POOL_SIZE", str(threads))

# A worker whose main loop is stuck this long is killed and replaced. With threads this is a
# liveness check, not a per-request limit: slow pages are fixed in their queries.
timeout = 30
# On restart or stop (SIGTERM, SIGHUP) requests in flight get this long to finish.
graceful_timeout = 30
# Longer than the default 2 s, so a browser (or a proxy keeping upstream connections) loads a
# page's assets on one connection. A proxy's own upstream idle timeout must be shorter.
keepalive = 5

# Load the app once in the master: a bad setting stops gunicorn at start with its message
# instead of workers failing in a loop, and workers share the loaded code's memory.
preload_app = True

# Access lines carry the request id the app tags its own log lines with (backoffice/logs.py).
accesslog = "-"
access_log_format = (
    '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms request=%({x-request-id}o)s "%(f)s" "%(a)s"'
)

# The control socket's default path is one per user ($HOME/.gunicorn/gunicorn.ctl): a second
# gunicorn (tests, make run) would take it over. Set control_socket to use gunicornc.
control_socket_disable = True

# Forwarded headers: gunicorn trusts X-Forwarded-Proto only from FORWARDED_ALLOW_IPS
# (default 127.0.0.1). The client's address (audit events, the per-IP sign-in limit) comes
# from X-Forwarded-For only through Werkzeug's ProxyFix, which must then wrap the app
# (README, Production); without it every sign-in counts against the proxy's address.


def when_ready(server) -> None:
    """Before the first fork: keep the loaded app out of the collector's reach, so workers
    share its pages instead of copying them when the collector walks them."""
    gc.freeze()


def post_fork(server, worker) -> None:
    """In each new worker: open PostgreSQL and Redis connections of its own (preload_app)."""
    from backoffice.forking import forget_inherited_connections

    forget_inherited_connections(server.app.wsgi())

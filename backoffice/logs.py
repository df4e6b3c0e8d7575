"""One logging setup for the web app and the workers: a line per event, tagged with its origin.

Every module logs through logging.getLogger(__name__); this is the one place that decides
where lines go and how they look. Each line names the request (request=<id>, also sent back
as X-Request-ID) or the RQ job (job=<id>) it belongs to.
"""

import logging
import re
import sys
import uuid

from flask import Flask, Response, g, has_request_context, request
from rq import get_current_job

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s"
HANDLER_NAME = "backoffice"
REQUEST_ID_HEADER = "X-Request-ID"
# An id a proxy sent is kept only if it cannot forge or break a log line.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_context() -> str:
    """The request or job the running code serves, as it appears on a log line."""
    if has_request_context():
        return f"request={g.get('request_id', '-')}"
    job = get_current_job()
    return f"job={job.id}" if job is not None else "-"


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.context = current_context()
        return True


class OneLineFormatter(logging.Formatter):
    """A record, traceback included, on one line, so a log collector keeps the event whole."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", " | ")


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record arrives (test runners replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def make_handler(handler: logging.StreamHandler | None = None) -> logging.Handler:
    """Our format and context on a stream handler (stderr unless one is given)."""
    handler = handler or StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(level: str) -> None:
    """Route every logger (ours, Flask's, RQ's, SQLAlchemy's) through one handler on the root."""
    root = logging.getLogger()
    # Replace rather than add: a process may build the app more than once (tests, CLI).
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    root.addHandler(make_handler())
    root.setLevel(level.upper())


def init_request_ids(app: Flask) -> None:
    """Give every request an id: the proxy's X-Request-ID when it is safe, else a new one."""

    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        return response

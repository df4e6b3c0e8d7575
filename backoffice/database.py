"""The app's databases: the primary (flask-sqlalchemy-lite's `db`) and an optional read replica.

Screens that only read and render (lists, searches, reports) opt in by calling read_session().
Everything that writes, or reads something to write it back in the same request (sign-in
sessions, audit, locks, edit forms), stays on db.session: the primary. Without
DATABASE_REPLICA_URL, or while the replica does not answer, read_session() is db.session.
"""

import logging
import os
import time
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .extensions import db

REPLICA = "replica"
# After a failed connect, reads skip the replica this long instead of waiting on it per request.
REPLICA_RETRY_SECONDS = 30.0
log = logging.getLogger(__name__)


class Replica:
    """The replica's engine, and until when it is skipped after failing to connect."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.skipped_until = 0.0

    def session(self) -> Session | None:
        """A session connected to the replica, or None when it cannot be reached."""
        if time.monotonic() < self.skipped_until:
            return None
        session = Session(self.engine)
        try:
            session.connection()
        except OperationalError as exc:
            session.close()
            self.skipped_until = time.monotonic() + REPLICA_RETRY_SECONDS
            log.warning(
                "Read replica unreachable, reading from the primary for %.0f s: %s",
                REPLICA_RETRY_SECONDS,
                str(exc).splitlines()[0],
            )
            return None
        return session


def label_connections(engine: Engine) -> None:
    """Name each connection after the process that opened it (pg_stat_activity's
    application_name), so a query can be traced to its gunicorn or RQ worker."""

    @event.listens_for(engine, "do_connect")
    def name_by_process(dialect: Any, record: Any, cargs: Any, cparams: dict) -> None:
        cparams.setdefault("application_name", f"backoffice/{os.getpid()}")


def init_app(app: Flask) -> None:
    """Label the primary's connections; build the replica's engine when one is configured."""
    with app.app_context():
        for engine in db.engines.values():
            label_connections(engine)
    options = app.config.get("REPLICA_ENGINE")
    if options:
        engine = create_engine(**options)
        label_connections(engine)
        app.extensions[REPLICA] = Replica(engine)
    app.teardown_appcontext(close_read_session)


def all_engines(app: Flask) -> list[Engine]:
    """Every engine of the app: the primary's and the replica's, if any."""
    with app.app_context():
        engines = list(db.engines.values())
    if replica := app.extensions.get(REPLICA):
        engines.append(replica.engine)
    return engines


def read_session() -> Session:
    """The session for reads that write nothing back: the replica's when it answers."""
    replica: Replica | None = current_app.extensions.get(REPLICA)
    if replica is None:
        return db.session
    if "replica_session" not in g:
        g.replica_session = replica.session()
    return g.replica_session or db.session


def close_read_session(exc: BaseException | None) -> None:
    """Give the request's replica connection back to the pool."""
    session = g.pop("replica_session", None)
    if session is not None:
        session.close()

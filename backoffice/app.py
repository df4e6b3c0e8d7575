"""The application factory."""

from pathlib import Path
from typing import Any

from flask import Flask

from jobs.dispatch import Dispatcher
from jobs.queues import connect

from . import admin, auth, cli, database, errors, redirects, security_headers, webhooks
from .config import from_environment
from .extensions import csrf, db
from .logs import configure_logging, init_request_ids
from .services import audit

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment; overrides (tests) take precedence."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(from_environment(overrides))
    configure_logging(app.config["LOG_LEVEL"])
    init_request_ids(app)
    db.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    redirects.init_app(app)
    security_headers.init_app(app)
    audit.install()
    auth.init_app(app)
    admin.init_app(app)
    webhooks.init_app(app)
    cli.init_app(app)
    init_dispatcher(app)
    return app


def init_dispatcher(app: Flask) -> Dispatcher:
    """Enqueue the jobs of this app's committed sessions on this app's Redis."""
    dispatcher = Dispatcher(connect(app.config["REDIS_URL"]), app.config["JOB_RETRY_INTERVALS"])
    app.extensions["dispatcher"] = dispatcher
    with app.app_context():
        dispatcher.attach(db.sessionmaker)
    return dispatcher

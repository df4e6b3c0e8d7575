"""The application factory."""

from pathlib import Path
from typing import Any

from flask import Flask

from jobs import dispatch
from jobs.queues import connect

from . import admin, auth, cli
from .config import from_environment
from .extensions import csrf, db
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
    db.init_app(app)
    csrf.init_app(app)
    audit.install()
    auth.init_app(app)
    admin.init_app(app)
    cli.init_app(app)
    dispatch.install(connect(app.config["REDIS_URL"]), app.config["JOB_RETRY_INTERVALS"])
    return app

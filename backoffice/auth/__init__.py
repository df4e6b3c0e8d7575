"""Signing in and out: the login views, sign-in throttling and the session store."""

from flask import Flask

from ..extensions import limiter, login_manager
from .session_store import DatabaseSessionInterface
from .views import bp, set_actor


def init_app(app: Flask) -> None:
    """Register login handling and attribute each request's changes to its user."""
    app.session_interface = DatabaseSessionInterface(app)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    limiter.init_app(app)
    app.register_blueprint(bp)
    app.before_request(set_actor)

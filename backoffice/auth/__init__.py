"""Signing in and out: the login views, sign-in throttling and the session store."""

from flask import Flask, redirect, request, url_for
from flask_login import current_user

from ..extensions import db, limiter, login_manager
from ..services import two_factor
from .session_store import DatabaseSessionInterface
from .views import bp, set_actor

# What a user who must still set up a second factor may reach.
OPEN_WHILE_ENROLLING = frozenset({"account.index", "account.enable", "auth.logout"})


def require_second_factor():
    """Admins and finance staff of a company that requires it set up TOTP before anything."""
    endpoint = request.endpoint or ""
    if not current_user.is_authenticated or endpoint in OPEN_WHILE_ENROLLING:
        return None
    if endpoint.endswith("static"):
        return None
    user = current_user._get_current_object()
    if two_factor.is_enabled(user) or not two_factor.is_required(db.session, user):
        return None
    return redirect(url_for("account.index"))


def init_app(app: Flask) -> None:
    """Register login handling and attribute each request's changes to its user."""
    app.session_interface = DatabaseSessionInterface(app)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    limiter.init_app(app)
    app.register_blueprint(bp)
    app.before_request(set_actor)
    app.before_request(require_second_factor)

"""Endpoints other services call: no login and no CSRF token, a signature instead."""

from flask import Flask

from ..extensions import csrf
from .stripe_events import bp


def init_app(app: Flask) -> None:
    """Register the webhooks; only CSRF is lifted (the signature replaces it), nothing else."""
    csrf.exempt(bp)
    app.register_blueprint(bp)

"""After a fork (gunicorn workers, RQ work-horses): the child opens connections of its own."""

from flask import Flask
from redis import Redis

from .database import all_engines
from .extensions import limiter


def redis_clients(app: Flask) -> list[Redis]:
    """The Redis clients the app made: the job dispatcher's and the sign-in throttle's."""
    clients = [app.extensions["dispatcher"].connection]
    # limits' Redis storage keeps its client as .storage; other storages have no pool here.
    throttle = getattr(limiter.storage, "storage", None)
    if isinstance(throttle, Redis):
        clients.append(throttle)
    return clients


def forget_inherited_connections(app: Flask) -> None:
    """Drop the parent's PostgreSQL and Redis connections in a forked child, unclosed.

    Two processes on one socket mix up each other's replies. Closing them here would end
    the parent's sessions on the server too, so they are only forgotten; each pool opens
    new connections on first use.
    """
    for engine in all_engines(app):
        engine.dispose(close=False)
    for client in redis_clients(app):
        client.connection_pool.reset()

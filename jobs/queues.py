"""The connection to Redis and the named RQ queues a worker serves."""

from redis import Redis
from rq import Queue

from .registry import QUEUE_NAMES


def connect(redis_url: str) -> Redis:
    """Open a Redis connection for RQ."""
    # Fail fast when Redis is down, so requests answer and the relay takes over.
    return Redis.from_url(redis_url, socket_connect_timeout=5)


def queues(connection: Redis, names: tuple[str, ...] = ()) -> list[Queue]:
    """The named queues (all by default) in the order a worker should serve them."""
    unknown = set(names) - set(QUEUE_NAMES)
    if unknown:
        raise ValueError(
            f"unknown queue(s) {', '.join(sorted(unknown))}; use {', '.join(QUEUE_NAMES)}"
        )
    return [
        Queue(name, connection=connection) for name in QUEUE_NAMES if not names or name in names
    ]

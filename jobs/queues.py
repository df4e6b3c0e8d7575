"""Named RQ queues and the connection to Redis."""

from redis import Redis
from rq import Queue

QUEUE_NAMES = ("pdf", "email", "sync", "default")


def connect(redis_url: str) -> Redis:
    """Open a Redis connection for RQ."""
    return Redis.from_url(redis_url)


def queues(connection: Redis) -> list[Queue]:
    """All queues in the order a worker should serve them."""
    return [Queue(name, connection=connection) for name in QUEUE_NAMES]

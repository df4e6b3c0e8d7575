"""Report figures kept in Redis for REPORT_CACHE_SECONDS: everyone who asks for the same
company, period and day within that time gets the figures computed for the first. When they
expire, one request computes them again (a lock per key) and the others asking meanwhile wait
for its figures rather than all running the same aggregates at once.

Keyed by report, company, period, grain, page and today's date; never by user: the caller
checks the user's role and company before asking. Pickled like RQ's own jobs in the same
Redis. Without Redis the figures are computed on every request.
"""

import contextlib
import logging
import pickle
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from ...services.reports.periods import Period

PREFIX = "backoffice:report:"
LOCK_PREFIX = "backoffice:report-computing:"
LOCK_SECONDS = 30  # longer than any report takes cold; a dead request's lock lapses
WAIT_SECONDS = 5.0  # then a waiting request computes the figures itself
POLL_SECONDS = 0.05
MISSING = object()
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
log = logging.getLogger(__name__)


def figures_key(
    report: str, company_id: int, period: Period, grain: str, today: date, page: int | None = 1
) -> str:
    """One key per report, company, period, grain, day and page (None: every row): the
    dashboard and the report screens share the figures they both show."""
    return f"{report}:{company_id}:{period.key()}:{grain}:{today.isoformat()}:page{page or 'all'}"


def cached(key: str, compute: Callable[[], Any]) -> Any:
    """The figures stored under key, or compute them and store them for a while.

    When they expire, one request computes them again; the others asking meanwhile wait
    for its figures (up to WAIT_SECONDS) instead of all running the same aggregates.
    """
    seconds = current_app.config["REPORT_CACHE_SECONDS"]
    if not seconds:
        return compute()
    redis = current_app.extensions["dispatcher"].connection
    token = uuid.uuid4().hex
    try:
        figures = _stored(redis, key)
        if figures is MISSING and not redis.set(LOCK_PREFIX + key, token, nx=True, ex=LOCK_SECONDS):
            figures = _awaited(redis, key)
    except RedisError as exc:
        log.warning("Report cache unreachable, computing the figures: %s", exc)
        return compute()
    if figures is not MISSING:
        return figures
    try:
        figures = compute()
        redis.set(PREFIX + key, pickle.dumps(figures), ex=seconds)
    except RedisError as exc:
        log.warning("Report cache unreachable, figures not kept: %s", exc)
    finally:
        _release(redis, key, token)
    return figures


def _stored(redis: Redis, key: str) -> Any:
    stored = redis.get(PREFIX + key)
    if stored is None:
        return MISSING
    try:
        return pickle.loads(stored)
    except (pickle.UnpicklingError, AttributeError, ImportError, TypeError) as exc:
        # Kept by a release whose figures had another shape: compute them again.
        log.warning("Report cache held unreadable figures under %s: %s", key, exc)
        return MISSING


def _awaited(redis: Redis, key: str) -> Any:
    """The figures another request is computing, once stored; MISSING if it takes too long
    (or that request died): then this one computes them too."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        figures = _stored(redis, key)
        if figures is not MISSING:
            return figures
        if not redis.exists(LOCK_PREFIX + key):
            break  # it gave up (an error): no point waiting longer
    return _stored(redis, key)


def _release(redis: Redis, key: str, token: str) -> None:
    """Drop our lock only: one that lapsed and was taken by another request stays."""
    with contextlib.suppress(RedisError):  # else it lapses after LOCK_SECONDS
        redis.eval(RELEASE, 1, LOCK_PREFIX + key, token)

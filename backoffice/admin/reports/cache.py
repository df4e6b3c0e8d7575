"""Report figures kept in Redis for REPORT_CACHE_SECONDS: at a million invoices a report's
aggregates take 0.2 to 3 s, so everyone who asks for the same company, period and day
within that time gets the figures computed for the first.

Keyed by report, company, period, grain and today's date; never by user: the caller checks
the user's role and company before asking. Pickled like RQ's own jobs in the same Redis.
Without Redis the figures are computed on every request.
"""

import logging
import pickle
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app
from redis.exceptions import RedisError

from ...services.reports.periods import Period

PREFIX = "backoffice:report:"
log = logging.getLogger(__name__)


def figures_key(
    report: str, company_id: int, period: Period, grain: str, today: date, page: int | None = 1
) -> str:
    """One key per report, company, period, grain, day and page (None: every row): the
    dashboard and the report screens share the figures they both show."""
    return f"{report}:{company_id}:{period.key()}:{grain}:{today.isoformat()}:page{page or 'all'}"


def cached(key: str, compute: Callable[[], Any]) -> Any:
    """The figures stored under key, or compute them and store them for a while."""
    seconds = current_app.config["REPORT_CACHE_SECONDS"]
    if not seconds:
        return compute()
    redis = current_app.extensions["dispatcher"].connection
    try:
        stored = redis.get(PREFIX + key)
    except RedisError as exc:
        log.warning("Report cache unreachable, computing the figures: %s", exc)
        return compute()
    if stored is not None:
        try:
            return pickle.loads(stored)
        except (pickle.UnpicklingError, AttributeError, ImportError, TypeError) as exc:
            # Kept by a release whose figures had another shape: compute them again.
            log.warning("Report cache held unreadable figures under %s: %s", key, exc)
    figures = compute()
    try:
        redis.set(PREFIX + key, pickle.dumps(figures), ex=seconds)
    except RedisError as exc:
        log.warning("Report cache unreachable, figures not kept: %s", exc)
    return figures

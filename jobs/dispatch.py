"""Enqueue the jobs a transaction asked for, once it has committed (never before)."""

import contextlib
from datetime import timedelta

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from sqlalchemy import event
from sqlalchemy.orm import Session

from backoffice.services.work import REQUESTS, JobRequest, take_requests

FAILED_JOBS_KEPT = timedelta(days=30)

_connection: Redis | None = None
_retry_intervals: list[int] = []


def enqueue(connection: Redis, request: JobRequest, retry_intervals: list[int]) -> None:
    """Put one job on its queue; an identical job already queued or kept absorbs it."""
    queue = Queue(request.queue, connection=connection)
    # DuplicateJobError: a double click, or the same work asked for twice; one job does it.
    with contextlib.suppress(DuplicateJobError):
        queue.enqueue(
            request.task,
            *request.args,
            job_id=request.job_id,
            unique=True,
            retry=Retry(max=len(retry_intervals), interval=retry_intervals),
            failure_ttl=int(FAILED_JOBS_KEPT.total_seconds()),
            meta={"invoice_id": request.invoice_id, "company_id": request.company_id},
        )


def _after_commit(session: Session) -> None:
    requests = take_requests(session)
    if requests and _connection is not None:
        for request in requests:
            enqueue(_connection, request, _retry_intervals)


def _after_rollback(session: Session) -> None:
    session.info.pop(REQUESTS, None)


def install(connection: Redis, retry_intervals: list[int]) -> None:
    """Dispatch job requests of every session through this Redis connection."""
    global _connection, _retry_intervals
    _connection, _retry_intervals = connection, retry_intervals
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda session, _: _after_rollback(session))

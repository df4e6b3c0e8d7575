"""Enqueue the jobs a transaction asked for, once it has committed (never before).

create_app builds one Dispatcher, keeps it in app.extensions["dispatcher"] and attaches it to
the app's sessionmaker, so each app's sessions reach that app's Redis and nothing else.
"""

import contextlib
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, InvalidJobOperation
from rq.job import Job, JobStatus
from sqlalchemy import event
from sqlalchemy.orm import Session

from backoffice.services.work import JobRequest, mark_delayed, pending_requests, take_requests

from .registry import KINDS, QUEUE_NAMES, JobKind

FAILED_JOBS_KEPT = timedelta(days=30)
# RQ marks a job failed or finished a few milliseconds after its function returns.
FINISHING_SECONDS = 5.0
log = logging.getLogger(__name__)


class UnknownJobKind(RuntimeError):
    """A service asked for a kind of job that the registry does not have."""


class Dispatcher:
    """Turns the job requests of committed transactions into RQ jobs."""

    def __init__(
        self,
        connection: Redis,
        retry_intervals: Sequence[int],
        kinds: Mapping[str, JobKind] = KINDS,
    ) -> None:
        self.connection = connection
        self.queue_names = QUEUE_NAMES
        self._retry_intervals = tuple(retry_intervals)
        self._kinds = kinds

    def attach(self, sessions: object) -> None:
        """Dispatch for a sessionmaker (or one Session): check before commit, enqueue after."""
        event.listen(sessions, "before_commit", self._check_kinds)
        event.listen(sessions, "after_commit", self._enqueue_committed)
        event.listen(sessions, "after_soft_rollback", self._forget)

    def enqueue(self, request: JobRequest, delay: timedelta | None = None) -> None:
        """Put one job on its queue (after delay: the scheduler moves it there); an identical
        job already queued or kept absorbs it."""
        kind = self._kind(request.kind)
        intervals = list(
            self._retry_intervals if kind.retry_intervals is None else kind.retry_intervals
        )
        queue = Queue(kind.queue, connection=self.connection)
        if request.rerun:
            self._make_room(request.job_id)
        options = {
            "job_id": request.job_id,
            "job_timeout": kind.timeout_seconds,
            "retry": Retry(max=len(intervals), interval=intervals) if intervals else None,
            "failure_ttl": int(FAILED_JOBS_KEPT.total_seconds()),
            "result_ttl": kind.result_ttl_seconds,
            "meta": {"invoice_id": request.invoice_id, "company_id": request.company_id},
        }
        if delay is not None:
            # RQ's enqueue_in has no unique=True; a delayed request carries a job id of its own.
            queue.enqueue_in(delay, kind.function, *request.args, **options)
            return
        # DuplicateJobError: a double click, or the same work asked for twice; one job does it.
        with contextlib.suppress(DuplicateJobError):
            queue.enqueue(kind.function, *request.args, unique=True, **options)

    def _make_room(self, job_id: str) -> None:
        # A job queued or running already does the work; any other (failed, finished, or
        # scheduled for its next retry) goes, so the new one runs now under the same id.
        job = Job.fetch_many([job_id], connection=self.connection)[0]
        if job is None:
            return
        status = job.get_status(refresh=False)
        if status == JobStatus.STARTED:
            # A rerun is asked for work the database says has failed, so a job still marked
            # started is ending its last attempt: left alone, it would absorb the new one
            # and then land among the failed jobs, with the work waiting for nobody.
            log.info("Job %s is finishing its attempt: queuing it again once it has", job_id)
            status = self._settled(job)
        if status not in (JobStatus.QUEUED, JobStatus.STARTED):
            job.delete()

    def _settled(self, job: Job) -> JobStatus | None:
        """The job's status once it is no longer started (None: gone); still started after
        FINISHING_SECONDS means a real attempt runs (it does the work)."""
        deadline = time.monotonic() + FINISHING_SECONDS
        while True:
            try:
                status = job.get_status(refresh=True)
            except InvalidJobOperation:
                return None
            if status != JobStatus.STARTED or time.monotonic() > deadline:
                return status
            time.sleep(0.02)

    def _kind(self, name: str) -> JobKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownJobKind(
                f"No job kind {name!r}; add it to jobs/registry.py (known: "
                f"{', '.join(sorted(self._kinds))})."
            ) from None

    def _check_kinds(self, session: Session) -> None:
        # Before the commit: an unknown kind fails the transaction instead of losing the job.
        for request in pending_requests(session):
            self._kind(request.kind)

    def _enqueue_committed(self, session: Session) -> None:
        requests = take_requests(session)
        try:
            for request in requests:
                self.enqueue(request)
        except RedisError as exc:
            # The work is committed in the database; the relay enqueues it once Redis is back.
            log.warning("Redis unreachable (%s): %d job(s) wait for the relay", exc, len(requests))
            mark_delayed(session)

    def _forget(self, session: Session, previous_transaction: object) -> None:
        take_requests(session)

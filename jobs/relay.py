"""The relay: the database says what work is due, and Redis gets whatever it lost or never had.

A job enqueued while Redis was down, or lost when Redis restarted, would otherwise be gone;
the outbox rows, issued invoices, pending sync records and unfinished bulk runs are the truth.
Each pass enqueues, under the same deterministic job id, every due job Redis does not hold.
Workers run a pass with their own maintenance, at start and every WORKER_MAINTENANCE_SECONDS
(jobs/worker.py).
"""

import logging
from datetime import timedelta

from flask import Flask
from rq.job import Job
from sqlalchemy.orm import Session

from backoffice.services.bulk import runs as bulk_runs
from backoffice.services.delivery import documents, outbox
from backoffice.services.sync import records as sync_records
from backoffice.services.work import JobRequest
from models import utcnow

from .context import job_session
from .dispatch import Dispatcher

log = logging.getLogger(__name__)
GRACE = timedelta(seconds=30)  # a request this fresh may still be on its way to Redis
RENDER_WINDOW = timedelta(days=7)  # PDFs missing longer than this need a person, not a relay
# A sync job retried with backoff stays in Redis meanwhile; one pending this long after it was
# due was lost (SYNC_CATCH_UP_MINUTES).
SYNC_GRACE = timedelta(minutes=5)


def due_requests(
    session: Session, grace: timedelta = GRACE, sync_grace: timedelta = SYNC_GRACE
) -> list[JobRequest]:
    """Every job the database says should exist now."""
    now = utcnow()
    syncs = sync_records.catch_up_requests(session, due_before=now - sync_grace)
    messages = outbox.awaiting_delivery(session, queued_before=now - grace)
    invoices = documents.awaiting_render(
        session, issued_before=now - grace, since=now - RENDER_WINDOW
    )
    bulk = bulk_runs.catch_up_requests(session, started_before=now - grace)
    return [
        *(documents.render_request(invoice) for invoice in invoices),
        *(outbox.delivery_request(message) for message in messages),
        *syncs,
        *bulk,
    ]


def relay_once(
    session: Session,
    dispatcher: Dispatcher,
    grace: timedelta = GRACE,
    sync_grace: timedelta = SYNC_GRACE,
) -> list[str]:
    """Enqueue the due jobs Redis does not hold; return their ids."""
    missing = [
        request
        for request in due_requests(session, grace, sync_grace)
        if not Job.exists(request.job_id, connection=dispatcher.connection)
    ]
    for request in missing:
        dispatcher.enqueue(request)
    if missing:
        log.warning(
            "Relay enqueued %d lost job(s): %s",
            len(missing),
            ", ".join(request.job_id for request in missing),
        )
    return [request.job_id for request in missing]


def relay_pass(
    app: Flask, grace: timedelta = GRACE, sync_grace: timedelta | None = None
) -> list[str]:
    """One relay pass inside the app, with a session of its own."""
    if sync_grace is None:
        sync_grace = timedelta(minutes=app.config["SYNC_CATCH_UP_MINUTES"])
    with app.app_context(), job_session() as session:
        return relay_once(session, app.extensions["dispatcher"], grace, sync_grace)

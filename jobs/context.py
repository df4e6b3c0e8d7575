"""What a job needs from the app it runs in: a session, the SMTP settings, the renderer."""

import functools

from flask import current_app
from rq import get_current_job
from sqlalchemy.orm import Session

from backoffice.extensions import db
from backoffice.services import audit
from backoffice.services.delivery.documents import Renderer
from backoffice.services.delivery.mailer import SmtpSettings
from backoffice.services.delivery.pdf import render_invoice_pdf


def job_session() -> Session:
    """A session of its own, attributed to the system in the audit trail."""
    session = db.sessionmaker()
    audit.set_actor(session, audit.Actor(user_id=None, email="worker"))
    return session


def smtp_settings() -> SmtpSettings:
    """The configured SMTP relay."""
    return SmtpSettings.from_config(current_app.config)


def pdf_renderer() -> Renderer:
    """The PDF renderer under the configured time limit (RENDER_TIME_LIMIT_SECONDS)."""
    limit = current_app.config["RENDER_TIME_LIMIT_SECONDS"]
    return functools.partial(render_invoice_pdf, time_limit=limit)


def is_last_attempt() -> bool:
    """Whether a failure of the running job is final (no retry left, or run outside RQ)."""
    job = get_current_job()
    return job is None or not job.retries_left


def no_more_retries() -> None:
    """Make the running job's failure final: a retry would fail the same way.

    RQ decides on a retry from the job object it is running, after the job raised; the job
    still lands in the failed registry, with its error and the Jobs screen's Retry button.
    """
    job = get_current_job()
    if job is not None:
        job.retries_left = 0

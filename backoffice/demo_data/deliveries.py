"""Invoice emails of the demo, recorded the way real delivery records them.

Each message goes through the outbox as a Send would, then through the same claim, failure
and delivery steps the email job takes (jobs/email.py), with the errors its attempts record.
The seed plays the worker's part here, so those messages' jobs are not enqueued again.
"""

import smtplib

from sqlalchemy.orm import Session

from models import EmailMessage, Invoice, User

from ..services import work
from ..services.delivery import failures, outbox
from ..services.delivery.mailer import SmtpSettings
from .plans import Delivery

# The job's attempts: the first one and its five retries (JOB_RETRY_INTERVALS' default).
ATTEMPTS = 6


# The relay the story's failures happened on: the settings' defaults (make run's).
RELAY = SmtpSettings(
    host="127.0.0.1", port=25, security="none", username="", password="", sender=""
)


def _as_recorded(exc: Exception) -> str:
    # The plain sentence jobs/email.py stores for a failed attempt.
    return failures.explain_smtp_failure(exc, RELAY)


def _refused() -> str:
    return _as_recorded(ConnectionRefusedError(111, "Connection refused"))


def _unknown_recipient(address: str) -> str:
    reply = f"5.1.1 <{address}>: Recipient address rejected: User unknown".encode()
    return _as_recorded(smtplib.SMTPRecipientsRefused({address: (550, reply)}))


def send(session: Session, actor: User, invoice: Invoice, outcome: Delivery) -> EmailMessage:
    """Email an issued invoice and record how its delivery ended."""
    message = outbox.queue_invoice_email(session, actor, invoice)
    attempts = {
        Delivery.DELIVERED: [],
        Delivery.RETRIED: [_refused()],
        Delivery.BOUNCED: [_unknown_recipient(message.recipients)] * ATTEMPTS,
        Delivery.OUTAGE: [_refused()] * ATTEMPTS,
    }[outcome]
    for error in attempts:
        outbox.claim(session, message.id)
        outbox.mark_failed(session, message.id, error)
    if len(attempts) < ATTEMPTS:
        outbox.claim(session, message.id)
        outbox.mark_sent(session, message.id)
    return message


def forget_delivery_jobs(session: Session, messages: list[EmailMessage]) -> None:
    """Drop the send jobs of messages whose delivery the seed has already recorded."""
    done = {outbox.delivery_request(message).job_id for message in messages}
    for request in work.take_requests(session):
        if request.job_id not in done:
            work.request_job(session, request)

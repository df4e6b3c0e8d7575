"""Retry now: a person sends an invoice's failed PDF and emails back to the queue at once,
instead of waiting for the automatic retries (or after they gave up)."""

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import EmailMessage, EmailStatus, Invoice, InvoiceStatus, User

from .. import audit, work
from ..errors import DomainError
from ..locking import lock_invoice
from ..permissions import Action, require
from ..scoping import require_company
from . import documents, outbox


def _now(request: work.JobRequest) -> work.JobRequest:
    return dataclasses.replace(request, rerun=True)


def retry_failed(session: Session, actor: User, invoice: Invoice) -> list[str]:
    """Queue the invoice's failed PDF and failed emails again; return what was retried.

    Under the invoice's lock, and only what is failed: a second click finds everything
    queued already and is refused, so no email goes out twice.
    """
    require(actor, Action.RETRY_JOBS)
    require_company(actor, invoice.company_id)
    lock_invoice(session, invoice)
    if invoice.status == InvoiceStatus.VOID:
        raise DomainError(f"{invoice} is void: its PDF and emails are not sent any more.")
    retried = []
    if documents.find_failure(session, invoice.id) is not None:
        # Rendered after all, it is forgotten anyway; failing again records it again.
        documents.forget_failure(session, invoice.id)
        work.request_job(session, _now(documents.render_request(invoice)))
        retried.append("the PDF")
    failed = session.scalars(
        select(EmailMessage).where(
            EmailMessage.invoice_id == invoice.id, EmailMessage.status == EmailStatus.FAILED
        )
    ).all()
    for message in failed:
        message.status = EmailStatus.QUEUED.value
        message.last_error = ""
        message.claimed_at = None
        work.request_job(session, _now(outbox.delivery_request(message)))
        retried.append(f"the email to {message.recipients}")
    if not retried:
        raise DomainError(f"Nothing of {invoice} has failed: there is nothing to retry.")
    session.flush()
    audit.record(
        session,
        "delivery.retry",
        entity=invoice,
        detail=f"Retry now: {', '.join(retried)} of {invoice}"[:500],
    )
    return retried

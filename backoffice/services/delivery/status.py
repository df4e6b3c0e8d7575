"""Where an issued invoice's delivery stands: its PDF and each of its emails."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import EmailMessage, EmailStatus, Invoice

from . import documents
from .failures import explain_render_failure


class State(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """One thing the invoice is waiting for, or got: its PDF, or one email."""

    key: str  # stable across polls: "pdf", "email-<id>"
    what: str
    state: State
    at: datetime | None  # when it was stored or sent
    error: str  # in plain words, only when it failed
    attempts: int = 0


EMAIL_STATES = {
    EmailStatus.QUEUED: State.PENDING,
    EmailStatus.SENDING: State.PENDING,
    EmailStatus.SENT: State.DELIVERED,
    EmailStatus.FAILED: State.FAILED,
}


def pdf_delivery(session: Session, invoice: Invoice) -> Delivery:
    """The PDF: stored, being rendered, or failed with the reason."""
    document = documents.find_invoice_pdf(session, invoice.id)
    if document is not None:
        return Delivery("pdf", "PDF", State.DELIVERED, document.created_at, "")
    failure = documents.find_failure(session, invoice.id)
    if failure is not None:
        error = explain_render_failure(failure.error)
        return Delivery("pdf", "PDF", State.FAILED, failure.failed_at, error)
    return Delivery("pdf", "PDF", State.PENDING, None, "")


def email_deliveries(session: Session, invoice: Invoice) -> list[Delivery]:
    """The invoice's emails, newest first."""
    messages = session.scalars(
        select(EmailMessage)
        .where(EmailMessage.invoice_id == invoice.id)
        .order_by(EmailMessage.id.desc())
    )
    return [
        Delivery(
            key=f"email-{message.id}",
            what=f"Email to {message.recipients}",
            state=EMAIL_STATES[EmailStatus(message.status)],
            at=message.sent_at,
            error=message.last_error if message.status == EmailStatus.FAILED else "",
            attempts=message.attempts,
        )
        for message in messages
    ]


def invoice_deliveries(session: Session, invoice: Invoice) -> list[Delivery]:
    """The PDF, then the emails; nothing for a draft."""
    if invoice.is_draft:
        return []
    return [pdf_delivery(session, invoice), *email_deliveries(session, invoice)]

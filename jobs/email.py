"""Deliver one outbox message: claim it, send it, mark it; each step its own transaction."""

from backoffice.extensions import document_store
from backoffice.services.delivery import mailer, outbox
from backoffice.services.delivery.pdf import render_invoice_pdf as render
from backoffice.services.einvoicing import documents as einvoices

from .context import job_session, smtp_settings


def send_email(message_id: int) -> str:
    """Send an outbox message once; raise on failure so RQ retries with backoff."""
    with job_session() as session:
        message = outbox.claim(session, message_id)
        session.commit()
        if message is None:
            return "nothing to send"
        attachments = []
        if message.attach_invoice_pdf and message.invoice_id is not None:
            store = document_store()
            attachments = einvoices.email_attachments(session, store, message.invoice, render)
            session.commit()
        settings = smtp_settings()
        mime = mailer.build_mime(message, settings.sender, attachments)
    try:
        mailer.deliver(settings, mime)
    except Exception as exc:
        with job_session() as session:
            outbox.mark_failed(session, message_id, f"{type(exc).__name__}: {exc}")
            session.commit()
        raise
    with job_session() as session:
        outbox.mark_sent(session, message_id)
        session.commit()
    return "sent"

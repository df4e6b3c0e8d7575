"""Deliver one outbox message: claim it, send it, mark it; each step its own transaction."""

from backoffice.extensions import document_store
from backoffice.services.delivery import documents, failures, mailer, outbox
from backoffice.services.einvoicing import documents as einvoices

from .context import job_session, no_more_retries, smtp_settings


def send_email(message_id: int) -> str:
    """Send an outbox message once; raise on failure so RQ retries with backoff.

    Never renders: a message whose PDF is not stored yet gives its claim back (no attempt
    counted) and the PDF job asks for it again once it has stored the PDF.
    """
    with job_session() as session:
        message = outbox.claim(session, message_id)
        if message is None:
            session.commit()
            return "nothing to send"
        attachments = []
        if message.attach_invoice_pdf and message.invoice_id is not None:
            try:
                attachments = einvoices.email_attachments(
                    session, document_store(), message.invoice
                )
            except documents.RenderFailed as exc:
                outbox.mark_failed(session, message_id, exc.message)
                session.commit()
                no_more_retries()
                raise
            if attachments is None:
                outbox.release(session, message)
                session.commit()
                return "waiting for the PDF"
        session.commit()
        settings = smtp_settings()
        mime = mailer.build_mime(message, settings.sender, attachments)
    _deliver(settings, mime, message_id)
    return "sent"


def _deliver(settings: mailer.SmtpSettings, mime: mailer.Mime, message_id: int) -> None:
    try:
        mailer.deliver(settings, mime)
    except Exception as exc:
        with job_session() as session:
            # The page shows why in plain words; the log and the Jobs screen keep the exception.
            outbox.mark_failed(session, message_id, failures.explain_smtp_failure(exc, settings))
            session.commit()
        raise
    with job_session() as session:
        outbox.mark_sent(session, message_id)
        session.commit()

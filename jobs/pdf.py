"""Render and store an issued invoice's PDF, then let the emails waiting for it go."""

from backoffice.extensions import document_store
from backoffice.services.delivery import documents, outbox

from .context import job_session, no_more_retries, pdf_renderer


def render_invoice_pdf(invoice_id: int) -> str:
    """Store the invoice's PDF unless it already is; returns its SHA-256.

    A render that fails for good (out of time, refused by the renderer) is recorded for the
    invoice page and fails without retries; its waiting emails are asked for either way, to
    be sent or to fail with the reason.
    """
    try:
        with job_session() as session:
            document = documents.ensure_invoice_pdf(
                session, document_store(), invoice_id, pdf_renderer()
            )
            outbox.request_waiting(session, invoice_id)
            session.commit()
            return document.sha256
    except documents.RenderFailed as exc:
        with job_session() as session:
            documents.record_failure(session, invoice_id, exc.message)
            outbox.request_waiting(session, invoice_id)
            session.commit()
        no_more_retries()
        raise

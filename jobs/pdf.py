"""Render and store an issued invoice's PDF."""

from backoffice.extensions import document_store
from backoffice.services.delivery import documents
from backoffice.services.delivery.pdf import render_invoice_pdf as render

from .context import job_session


def render_invoice_pdf(invoice_id: int) -> str:
    """Store the invoice's PDF unless it already is; returns its SHA-256."""
    with job_session() as session:
        document = documents.ensure_invoice_pdf(session, document_store(), invoice_id, render)
        session.commit()
        return document.sha256

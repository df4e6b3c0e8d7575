"""Render and store an issued invoice's PDF."""

from backoffice.services.pdf import render_invoice_pdf as render

from backoffice.services import documents

from .context import job_session, storage


def render_invoice_pdf(invoice_id: int) -> str:
    """Store the invoice's PDF unless it already is; returns its SHA-256."""
    with job_session() as session:
        document = documents.ensure_invoice_pdf(session, storage(), invoice_id, render)
        session.commit()
        return document.sha256

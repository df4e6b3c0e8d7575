"""The rendered PDF of an issued invoice: made once, stored once, served as stored."""

import hashlib
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Invoice, StoredDocument

from .. import work
from ..errors import DomainError
from .storage import DocumentStorage

# Raise when the template changes in a way that must reach already issued invoices.
CONTENT_VERSION = 1

Renderer = Callable[[Invoice], bytes]


def storage_key(invoice: Invoice) -> str:
    """Where an invoice's PDF is stored: per company, named by its number."""
    return f"invoices/{invoice.company_id}/{invoice.reference}-v{CONTENT_VERSION}.pdf"


def request_render(session: Session, invoice: Invoice) -> None:
    """Ask for the invoice's PDF to be rendered and stored once this transaction commits."""
    work.request_job(
        session,
        work.JobRequest(
            kind="render_pdf",
            args=(invoice.id,),
            job_id=f"pdf-{invoice.id}-v{CONTENT_VERSION}",
            invoice_id=invoice.id,
            company_id=invoice.company_id,
        ),
    )


def find_invoice_pdf(session: Session, invoice_id: int) -> StoredDocument | None:
    """The stored PDF of the current content version, if it was rendered."""
    return session.scalars(
        select(StoredDocument).where(
            StoredDocument.invoice_id == invoice_id,
            StoredDocument.content_version == CONTENT_VERSION,
        )
    ).one_or_none()


def ensure_invoice_pdf(
    session: Session, storage: DocumentStorage, invoice_id: int, render: Renderer
) -> StoredDocument:
    """Render and store an issued invoice's PDF unless it already is; safe to run twice.

    The file is written before its row; a crash in between leaves a file that the rerun
    overwrites with the same bytes, and the unique row makes a concurrent rerun fail its
    commit instead of storing a second document.
    """
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.is_draft:
        raise DomainError(f"Invoice {invoice_id} is not issued; drafts have no document.")
    document = find_invoice_pdf(session, invoice_id)
    if document is not None and storage.exists(document.storage_key):
        return document
    data = render(invoice)
    key = storage_key(invoice)
    storage.put(key, data)
    if document is None:
        document = StoredDocument(
            invoice_id=invoice.id,
            content_version=CONTENT_VERSION,
            storage_key=key,
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
        )
        session.add(document)
        session.flush()
    return document

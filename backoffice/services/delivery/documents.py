"""Documents of an issued invoice (its PDF, its e-invoices): made once, stored once, served as
stored."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from models import DocumentFailure, DocumentKind, Invoice, StoredDocument, utcnow

from .. import work
from ..errors import DomainError
from .storage import DocumentStorage

# Raise when the template changes in a way that must reach already issued invoices.
CONTENT_VERSION = 1

Renderer = Callable[[Invoice], bytes]


class RenderFailed(DomainError):
    """The document could not be made, and making it again would fail the same way."""


SUFFIXES = {
    DocumentKind.PDF: ".pdf",
    DocumentKind.FACTURX: "-facturx.pdf",
    DocumentKind.UBL: ".xml",
}
CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.FACTURX: "application/pdf",
    DocumentKind.UBL: "application/xml",
}


def storage_key(invoice: Invoice, kind: DocumentKind = DocumentKind.PDF) -> str:
    """Where an invoice's document is stored: per company, named by its number."""
    name = f"{invoice.reference}-v{CONTENT_VERSION}{SUFFIXES[kind]}"
    return f"invoices/{invoice.company_id}/{name}"


def filename(invoice: Invoice, kind: DocumentKind = DocumentKind.PDF) -> str:
    """The name a downloaded or attached document gets."""
    return f"{invoice.reference}{SUFFIXES[kind]}"


def request_render(session: Session, invoice: Invoice) -> None:
    """Ask for the invoice's PDF to be rendered and stored once this transaction commits."""
    work.request_job(session, render_request(invoice))


def render_request(invoice: Invoice) -> work.JobRequest:
    """The job that renders and stores an issued invoice's PDF."""
    return work.JobRequest(
        kind="render_pdf",
        args=(invoice.id,),
        job_id=f"pdf-{invoice.id}-v{CONTENT_VERSION}",
        invoice_id=invoice.id,
        company_id=invoice.company_id,
    )


def _current(
    model: type[StoredDocument] | type[DocumentFailure],
    invoice_id: int | ColumnElement[int],
    kind: DocumentKind,
) -> ColumnElement[bool]:
    """The row of that model for the invoice's document of that kind, this content version."""
    return and_(
        model.invoice_id == invoice_id,
        model.kind == kind,
        model.content_version == CONTENT_VERSION,
    )


def awaiting_render(
    session: Session, issued_before: datetime, since: datetime, limit: int = 500
) -> list[Invoice]:
    """Documents issued in a window whose PDF was never stored. The relay makes sure each has
    its job; the window keeps the question cheap on a large database."""
    stored = select(StoredDocument.id).where(_current(StoredDocument, Invoice.id, DocumentKind.PDF))
    # A render that failed for good would fail again; a person retries it from the Jobs screen.
    failed = select(DocumentFailure.id).where(
        _current(DocumentFailure, Invoice.id, DocumentKind.PDF)
    )
    return list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.issued_at >= since,
                Invoice.issued_at < issued_before,
                ~stored.exists(),
                ~failed.exists(),
            )
            .order_by(Invoice.id)
            .limit(limit)
        )
    )


def find_document(
    session: Session, invoice_id: int, kind: DocumentKind = DocumentKind.PDF
) -> StoredDocument | None:
    """The stored document of that kind and the current content version, if it was made."""
    return session.scalars(
        select(StoredDocument).where(_current(StoredDocument, invoice_id, kind))
    ).one_or_none()


def find_invoice_pdf(session: Session, invoice_id: int) -> StoredDocument | None:
    """The stored PDF of the current content version, if it was rendered."""
    return find_document(session, invoice_id, DocumentKind.PDF)


def stored_invoice_pdf(
    session: Session, storage: DocumentStorage, invoice_id: int
) -> StoredDocument | None:
    """The stored PDF, if it was rendered and its file is where the row says."""
    document = find_invoice_pdf(session, invoice_id)
    return document if document is not None and storage.exists(document.storage_key) else None


def find_failure(
    session: Session, invoice_id: int, kind: DocumentKind = DocumentKind.PDF
) -> DocumentFailure | None:
    """Why the document of the current content version could not be made, if it could not."""
    return session.scalars(
        select(DocumentFailure).where(_current(DocumentFailure, invoice_id, kind))
    ).one_or_none()


def record_failure(
    session: Session, invoice_id: int, error: str, kind: DocumentKind = DocumentKind.PDF
) -> None:
    """Keep why the document could not be made (the latest reason, if it failed before)."""
    values = {"error": error[:2000], "failed_at": utcnow()}
    session.execute(
        insert(DocumentFailure)
        .values(invoice_id=invoice_id, kind=kind.value, content_version=CONTENT_VERSION, **values)
        .on_conflict_do_update(
            index_elements=["invoice_id", "kind", "content_version"], set_=values
        )
    )


def forget_failure(
    session: Session, invoice_id: int, kind: DocumentKind = DocumentKind.PDF
) -> None:
    """Drop the recorded reason, once the document is made or is to be tried again."""
    session.execute(delete(DocumentFailure).where(_current(DocumentFailure, invoice_id, kind)))


def ensure_document(
    session: Session, storage: DocumentStorage, invoice_id: int, kind: DocumentKind, make: Renderer
) -> StoredDocument:
    """Make and store an issued invoice's document unless it already is; safe to run twice.

    The file is written before its row; a crash in between leaves a file that the rerun
    overwrites, and the unique row makes a concurrent rerun fail its commit instead of
    storing a second document.
    """
    invoice, document, failed = _invoice_with_document(session, invoice_id, kind)
    if invoice is None or invoice.is_draft:
        raise DomainError(f"Invoice {invoice_id} is not issued; drafts have no document.")
    if document is not None and storage.exists(document.storage_key):
        return document
    data = make(invoice)
    key = storage_key(invoice, kind)
    storage.put(key, data)
    if document is None:
        document = StoredDocument(
            invoice_id=invoice.id,
            kind=kind.value,
            content_version=CONTENT_VERSION,
            storage_key=key,
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            content_type=CONTENT_TYPES[kind],
        )
        session.add(document)
        session.flush()
    if failed:  # made after all (a retry with more time)
        forget_failure(session, invoice.id, kind)
    return document


def _invoice_with_document(
    session: Session, invoice_id: int, kind: DocumentKind
) -> tuple[Invoice | None, StoredDocument | None, bool]:
    """The invoice, its stored document of that kind and whether a failure is recorded for
    it: one query where a render job made three. Each costs a worker about 0.5 ms of a 130 ms
    job, and the --simple worker must stay within 10 % of rendering alone
    (docs/BENCHMARKS.md)."""
    failed = select(DocumentFailure.id).where(_current(DocumentFailure, Invoice.id, kind)).exists()
    row = session.execute(
        select(Invoice, StoredDocument, failed)
        .outerjoin(StoredDocument, _current(StoredDocument, Invoice.id, kind))
        .where(Invoice.id == invoice_id)
    ).one_or_none()
    return (None, None, False) if row is None else tuple(row)


def ensure_invoice_pdf(
    session: Session, storage: DocumentStorage, invoice_id: int, render: Renderer
) -> StoredDocument:
    """Render and store an issued invoice's PDF unless it already is; safe to run twice."""
    return ensure_document(session, storage, invoice_id, DocumentKind.PDF, render)

"""The ZIP of a run's PDFs, built from the stored documents once every item is worked."""

import io
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import BulkItemState, BulkRun, BulkRunItem, DocumentKind, Invoice, StoredDocument

from ..delivery import documents
from ..delivery.storage import DocumentStorage


def archive_key(run: BulkRun) -> str:
    """Where a run's ZIP is stored, beside its company's documents."""
    return f"bulk/{run.company_id}/run-{run.id}.zip"


def build_archive(session: Session, store: DocumentStorage, run: BulkRun) -> str:
    """Store one ZIP of the PDFs the run gathered, named by invoice number; return its key."""
    rows = session.execute(
        select(Invoice, StoredDocument.storage_key)
        .join(BulkRunItem, BulkRunItem.invoice_id == Invoice.id)
        .join(StoredDocument, StoredDocument.invoice_id == Invoice.id)
        .where(
            BulkRunItem.run_id == run.id,
            BulkRunItem.state == BulkItemState.DONE,
            StoredDocument.kind == DocumentKind.PDF,
            StoredDocument.content_version == documents.CONTENT_VERSION,
        )
        .order_by(BulkRunItem.position)
    ).all()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice, key in rows:
            # Dated by the issue, not by now: the same run zips to the same bytes.
            stamp = invoice.issued_at.timetuple()[:6]
            entry = zipfile.ZipInfo(documents.filename(invoice), date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, store.get(key))
    key = archive_key(run)
    store.put(key, buffer.getvalue())
    return key

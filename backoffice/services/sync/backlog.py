"""What a company has yet to push to a provider, and how its sync records stand.

Issued documents and payments from before the company connected (or from while a provider
was disconnected) have no sync record yet: they count as pending, and `sync run` makes them.
"""

from collections import Counter

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from models import Invoice, InvoiceStatus, Payment, SyncRecord, SyncRecordType, SyncStatus

from . import records

TOP_TYPES = (
    SyncRecordType.CUSTOMER,
    SyncRecordType.INVOICE,
    SyncRecordType.CREDIT_NOTE,
    SyncRecordType.ALLOCATION,
    SyncRecordType.PAYMENT,
)


def _recorded(company_id: int, provider: str, record_type, record_id) -> exists:
    return exists().where(
        SyncRecord.company_id == company_id,
        SyncRecord.provider == provider,
        SyncRecord.record_type == record_type,
        SyncRecord.record_id == record_id,
    )


def unrecorded(session: Session, company_id: int, provider: str) -> list[tuple[str, int]]:
    """Issued documents (void ones the books never had aside) and payments without a record."""
    document_type = case(
        (Invoice.kind == "credit_note", SyncRecordType.CREDIT_NOTE.value),
        else_=SyncRecordType.INVOICE.value,
    )
    documents = session.execute(
        select(document_type, Invoice.id)
        .where(
            Invoice.company_id == company_id,
            Invoice.status.not_in((InvoiceStatus.DRAFT, InvoiceStatus.VOID)),
            ~_recorded(company_id, provider, document_type, Invoice.id),
        )
        .order_by(Invoice.issued_at, Invoice.id)
    ).all()
    payments = session.scalars(
        select(Payment.id)
        .join(Invoice, and_(Invoice.id == Payment.invoice_id, Invoice.company_id == company_id))
        .where(Payment.amount > 0, ~_recorded(company_id, provider, "payment", Payment.id))
        .order_by(Payment.id)
    ).all()
    return [*((kind, id_) for kind, id_ in documents), *(("payment", id_) for id_ in payments)]


def pending_records(
    session: Session, company_id: int, provider: str, retry_failed: bool = False
) -> list[SyncRecord]:
    """Make the missing records, then every pending one, oldest first (`sync run`);
    retry_failed: failed ones too (after reconnecting, or fixing a mapping)."""
    for record_type, record_id in unrecorded(session, company_id, provider):
        records.ensure_record(session, company_id, provider, record_type, record_id)
    if retry_failed:
        failed = session.scalars(
            select(SyncRecord).where(
                SyncRecord.company_id == company_id,
                SyncRecord.provider == provider,
                SyncRecord.status == SyncStatus.FAILED,
            )
        )
        for record in failed:
            records.mark_pending(record)
    session.flush()
    return list(
        session.scalars(
            select(SyncRecord)
            .where(
                SyncRecord.company_id == company_id,
                SyncRecord.provider == provider,
                SyncRecord.status == SyncStatus.PENDING,
            )
            .order_by(SyncRecord.next_attempt_at, SyncRecord.id)
        )
    )


def status_counts(session: Session, company_id: int, provider: str) -> dict[str, Counter]:
    """Per record type, how many records are synced, pending, failed and in conflict."""
    counts = {str(record_type): Counter() for record_type in TOP_TYPES}
    rows = session.execute(
        select(SyncRecord.record_type, SyncRecord.status, func.count())
        .where(SyncRecord.company_id == company_id, SyncRecord.provider == provider)
        .group_by(SyncRecord.record_type, SyncRecord.status)
    )
    for record_type, status, count in rows:
        counts[record_type][status] += count
    for record_type, _ in unrecorded(session, company_id, provider):
        counts[record_type][SyncStatus.PENDING.value] += 1
    return counts

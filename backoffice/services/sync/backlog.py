"""What a company has yet to push to a provider, and how its sync records stand.

Issued documents and payments from before the company connected (or from while a provider
was disconnected) have no sync record yet: they count as pending, and `sync run` makes them.
"""

from collections import Counter

from sqlalchemy import case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from models import (
    Invoice,
    InvoiceStatus,
    Payment,
    SyncRecord,
    SyncRecordType,
    SyncStatus,
    User,
)

from .. import work
from ..permissions import Action, require
from ..scoping import require_company
from . import records
from .amounts import in_books_clause

TOP_TYPES = (
    SyncRecordType.CUSTOMER,
    SyncRecordType.INVOICE,
    SyncRecordType.CREDIT_NOTE,
    SyncRecordType.ALLOCATION,
    SyncRecordType.PAYMENT,
)


def _recorded(company_id: int, provider: str, record_types, record_id) -> exists:
    return exists().where(
        SyncRecord.company_id == company_id,
        SyncRecord.provider == provider,
        SyncRecord.record_type.in_(record_types),
        SyncRecord.record_id == record_id,
    )


# A click makes records for this many documents and payments at most, so that a company
# connecting with years of history gets its first pushes at once; `sync run` or another
# click takes the rest.
SYNC_NOW_LIMIT = 1000

DOCUMENT_TYPE = case(
    (Invoice.kind == "credit_note", SyncRecordType.CREDIT_NOTE.value),
    else_=SyncRecordType.INVOICE.value,
)


def never_pushed_documents(company_id: int, provider: str) -> tuple:
    # An invoice id is an invoice's or a credit note's, never both: one index probe per row.
    kinds = (SyncRecordType.INVOICE.value, SyncRecordType.CREDIT_NOTE.value)
    return (
        Invoice.company_id == company_id,
        Invoice.status.not_in((InvoiceStatus.DRAFT, InvoiceStatus.VOID)),
        ~_recorded(company_id, provider, kinds, Invoice.id),
    )


def never_pushed_payments(company_id: int, provider: str) -> tuple:
    """Money received from outside and credit applications, not reversed: refunds,
    reversals and other moves to or from customer credit are no payments in the books (a
    reversal deletes the payment there)."""
    reversal = aliased(Payment)
    return (
        Payment.company_id == company_id,
        Payment.amount > 0,
        in_books_clause(),
        ~exists().where(reversal.reverses_id == Payment.id),
        ~_recorded(company_id, provider, (SyncRecordType.PAYMENT.value,), Payment.id),
    )


def unrecorded(
    session: Session, company_id: int, provider: str, limit: int | None = None
) -> list[tuple[str, int]]:
    """Issued documents (void ones the books never had aside) and payments without a record;
    limit: at most that many of each, the oldest."""
    documents = session.execute(
        select(DOCUMENT_TYPE, Invoice.id)
        .where(*never_pushed_documents(company_id, provider))
        .order_by(Invoice.issued_at, Invoice.id)
        .limit(limit)
    ).all()
    payments = session.scalars(
        select(Payment.id)
        .where(*never_pushed_payments(company_id, provider))
        .order_by(Payment.id)
        .limit(limit)
    ).all()
    return [*((kind, id_) for kind, id_ in documents), *(("payment", id_) for id_ in payments)]


def pending_records(
    session: Session,
    company_id: int,
    provider: str,
    retry_failed: bool = False,
    limit: int | None = None,
) -> list[SyncRecord]:
    """Make the missing records, then every pending one, oldest first (`sync run`);
    retry_failed: failed ones too (after reconnecting, or fixing a mapping); limit: make at
    most that many missing records of documents and of payments."""
    for record_type, record_id in unrecorded(session, company_id, provider, limit):
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


def sync_now(
    session: Session, actor: User, company_id: int, provider: str, limit: int = SYNC_NOW_LIMIT
) -> int:
    """The "Sync now" button: a push job for each pending and failed record (the oldest
    `limit` documents and payments without a record get one first), run by the workers
    after the commit. Clicking twice asks for the same jobs (their ids name the request)."""
    require(actor, Action.RUN_SYNC)
    require_company(actor, company_id)
    pending = pending_records(session, company_id, provider, retry_failed=True, limit=limit)
    for record in pending:
        work.request_job(session, records.job_request(record))
    return len(pending)


def status_counts(session: Session, company_id: int, provider: str) -> dict[str, Counter]:
    """Per record type, how many records are synced, pending, failed and in conflict; what
    has no record yet counts as pending. Counted in the database, never listed."""
    counts = {str(record_type): Counter() for record_type in TOP_TYPES}
    rows = session.execute(
        select(SyncRecord.record_type, SyncRecord.status, func.count())
        .where(SyncRecord.company_id == company_id, SyncRecord.provider == provider)
        .group_by(SyncRecord.record_type, SyncRecord.status)
    )
    for record_type, status, count in rows:
        counts[record_type][status] += count
    documents = session.execute(
        select(DOCUMENT_TYPE, func.count())
        .where(*never_pushed_documents(company_id, provider))
        .group_by(DOCUMENT_TYPE)
    )
    payments = session.execute(
        select(literal(SyncRecordType.PAYMENT.value), func.count()).where(
            *never_pushed_payments(company_id, provider)
        )
    )
    for record_type, count in [*documents, *payments]:
        counts[record_type][SyncStatus.PENDING.value] += count
    return counts

"""Sync records: one per local record and provider, and the job that pushes it.

A record is asked for after the change that needs pushing (issue, void, payment) and its job
runs once the transaction commits (services/work.py). Each request bumps request_count, which
names the job (sync-<id>-r<count>): a double request is one job, and a job whose request was
superseded does nothing.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from models import SyncRecord, SyncRecordType, SyncStatus, User, utcnow

from .. import work
from ..permissions import Action, require
from ..scoping import require_company
from . import connections
from .http import Conflict, RateLimited, SyncFailure, Transient

JOB_KIND = "push_sync_record"
# The pushed digest of a record taken out of the books (a reversed payment, deleted there).
WITHDRAWN = "withdrawn"
INVOICE_TYPES = frozenset(
    {SyncRecordType.INVOICE, SyncRecordType.CREDIT_NOTE, SyncRecordType.ALLOCATION}
)


def request_push(
    session: Session,
    company_id: int,
    record_type: SyncRecordType,
    record_id: int,
    *,
    existing_only: bool = False,
) -> list[SyncRecord]:
    """Ask each provider the company is connected to for this record, after the commit;
    existing_only: only those that already have (or are about to get) the record."""
    records = []
    for connection in connections.connected(session, company_id):
        provider = connection.provider
        if (
            existing_only
            and find_record(session, company_id, provider, record_type, record_id) is None
        ):
            continue
        record = ensure_record(session, company_id, connection.provider, record_type, record_id)
        mark_pending(record)
        work.request_job(session, job_request(record))
        records.append(record)
    session.flush()
    return records


def retry(session: Session, actor: User, record: SyncRecord) -> SyncRecord:
    """Finance asks again for a failed or conflicting record (the Retry button, `sync run`)."""
    require(actor, Action.RUN_SYNC)
    require_company(actor, record.company_id)
    mark_pending(record)
    session.flush()
    work.request_job(session, job_request(record))
    return record


def ensure_record(
    session: Session, company_id: int, provider: str, record_type: str, record_id: int
) -> SyncRecord:
    """The record's sync row for a provider, created pending if missing, locked for this
    transaction: two jobs never push one record at once."""
    key = {
        "company_id": company_id,
        "provider": provider,
        "record_type": str(record_type),
        "record_id": record_id,
    }
    now = utcnow()
    # ON CONFLICT: two transactions asking for the same new record make one row.
    session.execute(
        insert(SyncRecord)
        .values(
            **key,
            status=SyncStatus.PENDING.value,
            request_count=1,
            attempts=0,
            last_error="",
            is_in_doubt=False,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
    )
    return session.scalars(
        select(SyncRecord)
        .filter_by(**key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def find_record(
    session: Session, company_id: int, provider: str, record_type: str, record_id: int
) -> SyncRecord | None:
    return session.scalars(
        select(SyncRecord).where(
            SyncRecord.company_id == company_id,
            SyncRecord.provider == provider,
            SyncRecord.record_type == str(record_type),
            SyncRecord.record_id == record_id,
        )
    ).one_or_none()


def mark_pending(record: SyncRecord) -> None:
    """Due now; a record that had settled (synced, failed, conflict) gets a new request."""
    if record.status != SyncStatus.PENDING:
        record.request_count += 1
        record.status = SyncStatus.PENDING.value
    record.next_attempt_at = utcnow()


def job_request(record: SyncRecord) -> work.JobRequest:
    """The job that pushes a record for its current request."""
    return work.JobRequest(
        kind=JOB_KIND,
        args=(record.id, record.request_count),
        job_id=f"sync-{record.id}-r{record.request_count}",
        invoice_id=record.record_id if record.record_type in INVOICE_TYPES else None,
        company_id=record.company_id,
    )


def mark_synced(
    record: SyncRecord, remote_id: str, digest: str, remote_version: str | None = None
) -> None:
    record.status = SyncStatus.SYNCED.value
    record.remote_id = remote_id
    record.remote_version = remote_version
    record.pushed_digest = digest
    record.is_in_doubt = False
    record.last_error = ""
    record.synced_at = utcnow()


def mark_withdrawn(record: SyncRecord, remote_version: str | None = None) -> None:
    """Out of the books (or never in them): synced, its remote id kept for the record."""
    record.status = SyncStatus.SYNCED.value
    record.remote_version = remote_version or record.remote_version
    record.pushed_digest = WITHDRAWN
    record.is_in_doubt = False
    record.last_error = ""
    record.synced_at = utcnow()


def mark_failure(record: SyncRecord, failure: SyncFailure, final: bool) -> None:
    """Record a failed attempt: a transient one stays pending until the job's last retry."""
    record.attempts += 1
    record.last_error = failure.message
    record.is_in_doubt = isinstance(failure, Transient)
    if isinstance(failure, Transient) and not final:
        record.status = SyncStatus.PENDING.value
    elif isinstance(failure, Conflict):
        record.status = SyncStatus.CONFLICT.value
    else:
        record.status = SyncStatus.FAILED.value


def mark_waiting(record: SyncRecord, limited: RateLimited) -> work.JobRequest:
    """The provider asked to wait: a new request for later, no attempt counted."""
    record.request_count += 1
    record.status = SyncStatus.PENDING.value
    record.next_attempt_at = utcnow() + timedelta(seconds=limited.retry_after)
    return job_request(record)


def catch_up_requests(session: Session, due_before: datetime, limit: int = 500) -> list:
    """The jobs of records still pending well after they were due: Redis may have lost them."""
    records = session.scalars(
        select(SyncRecord)
        .where(SyncRecord.status == SyncStatus.PENDING, SyncRecord.next_attempt_at < due_before)
        .order_by(SyncRecord.next_attempt_at)
        .limit(limit)
    )
    return [job_request(record) for record in records]

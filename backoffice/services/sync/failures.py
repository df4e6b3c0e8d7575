"""The sync records finance must look at: failed and in conflict, latest first; and where
one local record stands in each provider (its page)."""

from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from models import Customer, Invoice, Payment, SyncRecord, SyncRecordType, SyncStatus, User

from ..scoping import in_companies, may_see_company, scoped

NEEDS_A_PERSON = (SyncStatus.FAILED.value, SyncStatus.CONFLICT.value)
LABELLED = {SyncRecordType.CUSTOMER: Customer, SyncRecordType.PAYMENT: Payment}


def failures(
    session: Session, user: User, before: tuple[datetime, int] | None = None, limit: int = 50
) -> list[SyncRecord]:
    """One page of the user's companies' failed and conflicting records (keyset: before the
    (updated_at, id) of the last row shown)."""
    query = select(SyncRecord).where(SyncRecord.status.in_(NEEDS_A_PERSON))
    if before is not None:
        query = query.where(tuple_(SyncRecord.updated_at, SyncRecord.id) < before)
    query = scoped(query, user, in_companies(SyncRecord.company_id))
    return list(
        session.scalars(
            query.order_by(SyncRecord.updated_at.desc(), SyncRecord.id.desc()).limit(limit)
        )
    )


def failed_count(session: Session, user: User) -> int:
    """How many of the user's companies' records wait for a person (the dashboard's figure)."""
    query = select(func.count()).where(SyncRecord.status.in_(NEEDS_A_PERSON))
    return session.scalar(scoped(query, user, in_companies(SyncRecord.company_id))) or 0


def visible_record(session: Session, user: User, record_id: int) -> SyncRecord | None:
    """A sync record of one of the user's companies, or None (another company's is not found)."""
    record = session.get(SyncRecord, record_id)
    if record is None or not may_see_company(user, record.company_id):
        return None
    return record


def labels(session: Session, rows: list[SyncRecord]) -> dict[tuple[str, int], str]:
    """What people call each row's local record (an invoice's number, a customer's name)."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row.record_type, set()).add(row.record_id)
    found: dict[tuple[str, int], str] = {}
    for record_type, ids in wanted.items():
        model = LABELLED.get(record_type, Invoice)
        for record in session.scalars(select(model).where(model.id.in_(ids))):
            prefix = "Allocation of " if record_type == SyncRecordType.ALLOCATION else ""
            found[(record_type, record.id)] = f"{prefix}{record}"
    return found


def record_states(
    session: Session, company_id: int, wanted: list[tuple[str, int]]
) -> list[SyncRecord]:
    """The sync records of the given local records of one company, by provider (a record's
    page); one index probe per record (company, type, id)."""
    if not wanted:
        return []
    keys = [(str(record_type), record_id) for record_type, record_id in wanted]
    return list(
        session.scalars(
            select(SyncRecord)
            .where(
                SyncRecord.company_id == company_id,
                tuple_(SyncRecord.record_type, SyncRecord.record_id).in_(keys),
            )
            .order_by(SyncRecord.provider, SyncRecord.id)
        )
    )

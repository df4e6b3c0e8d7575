"""Push one sync record, prerequisites first: the customer before its invoice, the invoice
before its credit note and payments, a credit note before its allocation.

push_step pushes at most one record and returns; the job commits after each step, so a remote
id once known is never lost to a later step's failure, and calls again until it is done.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AccountingConnection,
    AccountingMapping,
    Customer,
    Invoice,
    InvoiceKind,
    Payment,
    SyncRecord,
    SyncRecordType,
    SyncStatus,
)

from .. import work
from ..errors import DomainError
from . import connections, records
from .amounts import allocatable
from .http import RateLimited, ReconnectNeeded, Rejected, SyncFailure, dumps
from .mapping import checked_mapping
from .provider import Provider, Remote

__all__ = ["Outcome", "Provider", "chain", "digest", "push_step"]

CUSTOMER, INVOICE, CREDIT_NOTE, ALLOCATION, PAYMENT = (
    SyncRecordType.CUSTOMER.value,
    SyncRecordType.INVOICE.value,
    SyncRecordType.CREDIT_NOTE.value,
    SyncRecordType.ALLOCATION.value,
    SyncRecordType.PAYMENT.value,
)


@dataclass(frozen=True)
class Outcome:
    finished: bool  # nothing more for this job to push
    message: str
    failure: SyncFailure | None = None
    later: work.JobRequest | None = None  # the provider asked to wait: run this then
    delay_seconds: int = 0


def digest(payload: dict[str, Any]) -> str:
    """The version of a payload: equal digests, nothing to update."""
    return hashlib.sha256(dumps(payload).encode()).hexdigest()


def chain(session: Session, record_type: str, record_id: int) -> list[tuple[str, int]]:
    """The records to have in the provider, in order, for this one to be complete."""
    if record_type == CUSTOMER:
        return [(CUSTOMER, record_id)]
    if record_type == PAYMENT:
        payment = session.get(Payment, record_id)
        return [*chain(session, INVOICE, payment.invoice_id), (PAYMENT, record_id)]
    document = session.get(Invoice, record_id)
    if document.kind == InvoiceKind.INVOICE:
        return [(CUSTOMER, document.customer_id), (INVOICE, document.id)]
    steps = [*chain(session, INVOICE, document.original_invoice_id), (CREDIT_NOTE, document.id)]
    # Nothing left owed on the invoice (paid already): the note stays as credit, unallocated.
    if allocatable(document) > 0:
        steps.append((ALLOCATION, document.id))
    return steps


def push_step(
    session: Session,
    record_id: int,
    request_count: int,
    open_client: Callable[[AccountingConnection], Provider],
    final: bool,
) -> Outcome:
    """Push the first record of the chain the provider lacks or holds in an older version."""
    top = session.get(SyncRecord, record_id)
    if top is None or top.request_count != request_count:
        return Outcome(True, "superseded by a newer request")
    step = top
    try:
        connection = connections.find(session, top.company_id, top.provider)
        if connection is None:
            raise ReconnectNeeded(f"The company is not connected to {top.provider}.")
        client = open_client(connection)
        items = chain(session, top.record_type, top.record_id)
        mapping = _mapping(session, top, items)
        remote = _remote_ids(session, top)
        for record_type, local_id in items:
            step = records.ensure_record(
                session, top.company_id, top.provider, record_type, local_id
            )
            local = _local(session, step)
            if withdrawn(record_type, local):
                if step.remote_id is None or step.pushed_digest == records.WITHDRAWN:
                    records.mark_withdrawn(step)  # never in the books, or out already
                    continue
                _withdraw(client, step)
                return Outcome(False, f"withdrew {record_type} {local_id}")
            payload = client.payload(record_type, local, mapping, remote)
            version = digest(payload)
            if step.remote_id is not None and (
                step.pushed_digest == version or record_type not in client.updatable
            ):
                step.status = SyncStatus.SYNCED.value
                continue
            _push(client, step, payload, version, remote)
            return Outcome(False, f"pushed {record_type} {local_id}")
        return Outcome(True, "synced")
    except RateLimited as limited:
        later = records.mark_waiting(top, limited)
        return Outcome(True, limited.message, later=later, delay_seconds=limited.retry_after)
    except DomainError as exc:  # the mapping is incomplete, a secret cannot be opened
        return _failed(top, step, Rejected(exc.message), final)
    except SyncFailure as failure:
        return _failed(top, step, failure, final)


def _failed(top: SyncRecord, step: SyncRecord, failure: SyncFailure, final: bool) -> Outcome:
    records.mark_failure(step, failure, final)
    if step is not top:
        what = f"The {step.record_type.replace('_', ' ')} it needs did not sync: "
        records.mark_failure(top, type(failure)(what + failure.message), final)
    return Outcome(True, failure.message, failure=failure)


def _push(
    client: Provider, step: SyncRecord, payload: dict[str, Any], version: str, remote: Remote
) -> None:
    if step.is_in_doubt and step.last_payload and step.idempotency_key:
        # The provider may have acted on the last attempt: the same body under the same key
        # makes it answer with what it did then. A later change follows as an update.
        sent, key = step.last_payload, step.idempotency_key
    else:
        sent = dumps(payload)
        # Deterministic: a worker killed mid-request reruns with the key it sent.
        key = f"{client.name}-{step.record_type}-{step.record_id}-{version[:12]}-a{step.attempts}"
    step.idempotency_key, step.last_payload = key, sent
    parent = remote(CREDIT_NOTE, step.record_id) if step.record_type == ALLOCATION else None
    body = json.loads(sent, parse_float=Decimal)
    pushed = client.push(step.record_type, body, step.remote_id, key, parent, step.remote_version)
    records.mark_synced(step, pushed.remote_id, digest(body), pushed.remote_version)


def withdrawn(record_type: str, local: Any) -> bool:
    """A reversed payment leaves the books: no provider takes a negative payment."""
    return record_type == PAYMENT and local.reversed_by is not None


def _withdraw(client: Provider, step: SyncRecord) -> None:
    if not (step.is_in_doubt and step.idempotency_key):
        # As for a push: an attempt in doubt is repeated under its key, so it acts once.
        step.idempotency_key = (
            f"{client.name}-{step.record_type}-{step.record_id}-del-a{step.attempts}"
        )
    step.last_payload = dumps({"delete": step.remote_id})
    pushed = client.withdraw(
        step.record_type, step.remote_id, step.idempotency_key, step.remote_version
    )
    records.mark_withdrawn(step, pushed.remote_version)


def _local(session: Session, record: SyncRecord) -> Any:
    model = {CUSTOMER: Customer, PAYMENT: Payment}.get(record.record_type, Invoice)
    return session.get(model, record.record_id)


def _mapping(session: Session, top: SyncRecord, items: list[tuple[str, int]]) -> AccountingMapping:
    documents = [session.get(Invoice, i) for t, i in items if t in (INVOICE, CREDIT_NOTE)]
    rates = {line.tax_rate for document in documents for line in document.lines}
    methods = {session.get(Payment, i).method for t, i in items if t == PAYMENT}
    return checked_mapping(session, top.company_id, top.provider, rates, methods)


def _remote_ids(session: Session, top: SyncRecord) -> Remote:
    def remote(record_type: str, record_id: int) -> str:
        remote_id = session.scalar(
            select(SyncRecord.remote_id).where(
                SyncRecord.company_id == top.company_id,
                SyncRecord.provider == top.provider,
                SyncRecord.record_type == record_type,
                SyncRecord.record_id == record_id,
            )
        )
        if remote_id is None:  # the chain pushes prerequisites first: a bug if reached
            raise LookupError(f"{record_type} {record_id} has no remote id yet")
        return remote_id

    return remote

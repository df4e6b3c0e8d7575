"""A record's sync state on its own page (invoice, customer, payment): per provider its
status, remote id and last error, with Retry for what failed (finance, admin)."""

from typing import Any

from flask_login import current_user

from models import Customer, Invoice, InvoiceKind, Payment, PaymentMethod, SyncRecordType

from ...database import read_session
from ...services.permissions import Action, can
from ...services.sync import failures
from ...services.sync.mapping import PROVIDER_NAMES


def _wanted(record: Invoice | Customer | Payment) -> list[tuple[str, int]]:
    if isinstance(record, Customer):
        return [(SyncRecordType.CUSTOMER, record.id)]
    if isinstance(record, Payment):
        return [(SyncRecordType.PAYMENT, record.id)]
    if record.kind == InvoiceKind.CREDIT_NOTE:
        own = [(SyncRecordType.CREDIT_NOTE, record.id), (SyncRecordType.ALLOCATION, record.id)]
    else:
        own = [(SyncRecordType.INVOICE, record.id)]
    return [*own, *((SyncRecordType.PAYMENT, payment.id) for payment in record.payments)]


def sync_state(record: Invoice | Customer | Payment) -> dict[str, Any]:
    """The template values of admin/_sync_state.html for a record the user may already see."""
    session = read_session()
    rows = failures.record_states(session, record.company_id, _wanted(record))
    refunds = [
        payment
        for payment in (record.payments if isinstance(record, Invoice) and rows else [])
        if payment.amount < 0
        and payment.reverses_id is None
        and payment.method != PaymentMethod.CUSTOMER_CREDIT
    ]
    return {
        "sync_rows": rows,
        # No provider takes a refund against an invoice: finance records these by hand.
        "sync_refunds": refunds,
        "sync_labels": failures.labels(session, rows),
        "sync_providers": PROVIDER_NAMES,
        "sync_may_retry": can(current_user, Action.RUN_SYNC),
    }

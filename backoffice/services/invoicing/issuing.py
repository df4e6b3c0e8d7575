"""The two statements of an issue: the draft loaded under its lock, then numbered at once.

Every issuer of a series queues for its counter row, which stays locked from the number to the
commit. So everything that reads or checks runs before, under the invoice's own lock, and one
statement takes the number right before the commit: it counts the series on, freezes the
invoice with its number and writes the issue's audit events. The counter is then held for one
round trip and the commit, however busy the machine.
"""

from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from models import Invoice, InvoiceLine, InvoiceTaxTotal, TaxRate, utcnow

from .. import audit
from .numbering import NEXT_NUMBER_SQL, next_number_params, refusal

LOAD_FOR_ISSUE = (
    select(Invoice)
    .join(Invoice.company)
    .join(Invoice.customer)
    .outerjoin(Invoice.lines)
    .outerjoin(InvoiceLine.tax_rate)
    .outerjoin(Invoice.tax_totals)
    .where(Invoice.id == bindparam("invoice_id"))
    .options(
        contains_eager(Invoice.company),
        contains_eager(Invoice.customer),
        contains_eager(Invoice.lines).contains_eager(InvoiceLine.tax_rate),
        contains_eager(Invoice.tax_totals),
    )
    # The collections' own orders; a line appears once per tax row, a tax row per line.
    .order_by(InvoiceLine.position, InvoiceTaxTotal.percentage, InvoiceTaxTotal.id)
    .with_for_update(key_share=True, of=Invoice)
    .execution_options(populate_existing=True)
)

# Columns only the statement knows, from the counter; a draft has none of them.
NUMBERED = ("series_id", "number", "reference", "issued_at")

ISSUE = text(f"""
    WITH taken AS ({NEXT_NUMBER_SQL}),
    issued AS (
        UPDATE invoices
        SET series_id = taken.series_id, number = taken.number, reference = taken.reference,
            -- Read once the counter's lock is granted: issue times follow numbers.
            issued_at = clock_timestamp(),
            status = :status, issue_date = :issue_date, due_date = :due_date,
            exchange_rate = :exchange_rate, seller_details = :seller_details,
            buyer_details = :buyer_details, updated_at = :updated_at, version = version + 1
        FROM taken
        WHERE invoices.id = :invoice_id AND invoices.version = :version
        RETURNING invoices.series_id, invoices.number, invoices.reference, invoices.issued_at,
            invoices.version
    ),
    trail AS (
        -- The events as the session would have written them, completed with the number:
        -- the update event's "after" gains the numbered columns, each detail the reference.
        -- The session writes None as JSON null, which the record below reads as SQL NULL.
        INSERT INTO audit_events (occurred_at, user_id, user_email, ip_address, company_id,
            action, entity_type, entity_id, before, after, detail)
        SELECT event.occurred_at, event.user_id, event.user_email, event.ip_address,
            event.company_id, event.action, event.entity_type, event.entity_id,
            coalesce(event.before, 'null'),
            coalesce(event.after || jsonb_build_object(
                'series_id', issued.series_id, 'number', issued.number,
                'reference', issued.reference,
                'issued_at', {audit.plain_timestamp_sql("issued.issued_at")}), 'null'),
            event.detail || issued.reference
        FROM issued,
            jsonb_populate_recordset(CAST(NULL AS audit_events), :events) WITH ORDINALITY AS event
        ORDER BY event.ordinality
    )
    SELECT taken.number AS taken, issued.* FROM taken LEFT JOIN issued ON true
""").bindparams(
    bindparam("seller_details", type_=JSONB),
    bindparam("buyer_details", type_=JSONB),
    bindparam("events", type_=JSONB),
)


def load_for_issue(session: Session, invoice: Invoice) -> dict[int, TaxRate]:
    """Lock the draft and reload it with its company, customer, lines, their tax rates and its
    tax rows, in one query; return the lines' tax rates by id.

    The lock is lock_invoice's (FOR NO KEY UPDATE), on the invoice's row alone: the customer's
    and the company's are read, not locked, so issuers of one customer do not queue. Explicit
    joins (contains_eager), not joinedload: the object would keep joinedload's options, and a
    later lock_invoice (its refresh) would lock through those outer joins, which PostgreSQL
    refuses.
    """
    session.flush()  # reloading would otherwise drop changes not yet written
    session.execute(LOAD_FOR_ISSUE, {"invoice_id": invoice.id}).unique().one()
    return {line.tax_rate_id: line.tax_rate for line in invoice.lines}


def number_and_freeze(session: Session, invoice: Invoice, frozen: dict[str, Any]) -> None:
    """Take the next number of the invoice's series and write it with frozen (the columns the
    issue sets) and the audit events "invoice.issue" and "update", in one statement.

    The caller has flushed everything else: from here to its commit the series' counter is
    locked. Refused (DomainError) when the series is missing or the issue date is before the
    series' last.
    """
    now = utcnow()
    before, after = audit.changes_to(invoice, frozen)
    before.update(dict.fromkeys(NUMBERED))
    events = [
        audit.event_row(session, "invoice.issue", invoice, detail=""),
        audit.event_row(
            session, "update", invoice, before=before, after=after, detail=f"{invoice.kind_label} "
        ),
    ]
    events = [{**event, "occurred_at": event["occurred_at"].isoformat()} for event in events]
    row = session.execute(
        ISSUE,
        {
            **next_number_params(invoice.company_id, invoice.kind, frozen["issue_date"]),
            **frozen,
            "updated_at": now,
            "invoice_id": invoice.id,
            "version": invoice.version,
            "events": events,
        },
    ).one_or_none()
    if row is None:
        refusal(session, invoice.company_id, invoice.kind)
    if row.number is None:  # the number is taken: the caller must roll back
        raise StaleDataError(f"{invoice} changed under its lock; nothing was issued.")
    written = {**frozen, "updated_at": now, "version": row.version}
    written.update((key, getattr(row, key)) for key in NUMBERED)
    for key, value in written.items():
        set_committed_value(invoice, key, value)
    session.expire(invoice, ["series"])  # loaded (as none) while a draft

"""Derived invoice state: payment status and overdue are computed, never typed in."""

from datetime import date

from sqlalchemy import ColumnElement, and_

from models import Invoice, InvoiceKind, InvoiceStatus

UNPAID_OPEN = frozenset({InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID})
OPEN_STATUSES = UNPAID_OPEN | {InvoiceStatus.PAID}


def derive_status(invoice: Invoice) -> InvoiceStatus:
    """Return the status an issued invoice has given its payments, credits and delivery."""
    return _derived(invoice, InvoiceStatus(invoice.status))


def status_at_issue(draft: Invoice) -> InvoiceStatus:
    """Return the status a draft takes once issued: issued, or paid when nothing is owed."""
    return _derived(draft, InvoiceStatus.ISSUED)


def _derived(invoice: Invoice, status: InvoiceStatus) -> InvoiceStatus:
    if status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        return status
    delivered = InvoiceStatus.SENT if invoice.sent_at else InvoiceStatus.ISSUED
    if invoice.kind != InvoiceKind.INVOICE:
        return delivered
    # Paid, credited, or nothing to pay at all (a zero total is settled when issued). The
    # balance of an invoice that is neither a draft nor void, whatever its stored status says.
    if invoice.total_amount - invoice.paid_amount - invoice.credited_amount <= 0:
        return InvoiceStatus.PAID
    if invoice.paid_amount > 0:
        return InvoiceStatus.PARTIALLY_PAID
    return delivered


def is_overdue(invoice: Invoice, today: date) -> bool:
    """An open balance past its due date."""
    return (
        invoice.kind == InvoiceKind.INVOICE
        and invoice.status in UNPAID_OPEN
        and invoice.balance_amount > 0
        and invoice.due_date is not None
        and invoice.due_date < today
    )


def overdue_clause(today: date) -> ColumnElement[bool]:
    """is_overdue as SQL, for lists and counts."""
    return and_(
        Invoice.kind == InvoiceKind.INVOICE,
        Invoice.status.in_(sorted(status.value for status in UNPAID_OPEN)),
        Invoice.total_amount - Invoice.paid_amount - Invoice.credited_amount > 0,
        Invoice.due_date < today,
    )


def can_be_voided(invoice: Invoice) -> bool:
    """Issued or sent, with no payment (not even a refunded one) and nothing credited."""
    return (
        invoice.kind == InvoiceKind.INVOICE
        and invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.SENT)
        and not invoice.payments
        and invoice.credited_amount == 0
    )


def can_be_credited(invoice: Invoice) -> bool:
    """An open invoice with something left to credit."""
    return (
        invoice.kind == InvoiceKind.INVOICE
        and invoice.status in OPEN_STATUSES
        and invoice.total_amount > invoice.credited_amount
    )


def takes_payments(invoice: Invoice) -> bool:
    """Payments and refunds are recorded on issued invoices that are not void."""
    return invoice.kind == InvoiceKind.INVOICE and invoice.status in OPEN_STATUSES


def is_open(invoice: Invoice) -> bool:
    """Issued and not void: it can be sent, paid, credited."""
    return invoice.status in OPEN_STATUSES

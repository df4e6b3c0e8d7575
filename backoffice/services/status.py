"""Derived invoice state: payment status and overdue are computed, never typed in."""

from datetime import date

from models import Invoice, InvoiceKind, InvoiceStatus

UNPAID_OPEN = frozenset({InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID})


def derive_status(invoice: Invoice) -> InvoiceStatus:
    """Return the status an issued invoice has given its payments, credits and delivery."""
    status = InvoiceStatus(invoice.status)
    if status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        return status
    if invoice.total_amount > 0 and invoice.balance_amount <= 0:
        return InvoiceStatus.PAID
    if invoice.paid_amount > 0:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.SENT if invoice.sent_at else InvoiceStatus.ISSUED


def is_overdue(invoice: Invoice, today: date) -> bool:
    """An open balance past its due date."""
    return (
        invoice.kind == InvoiceKind.INVOICE
        and invoice.status in UNPAID_OPEN
        and invoice.balance_amount > 0
        and invoice.due_date is not None
        and invoice.due_date < today
    )

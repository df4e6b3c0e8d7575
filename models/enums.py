"""Closed vocabularies stored as text with CHECK constraints."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    SUPPORT = "support"
    MANAGER = "manager"


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    SENT = "sent"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


class TaxCategory(StrEnum):
    """EN 16931 VAT category codes (UNTDID 5305 subset), as e-invoices carry them."""

    STANDARD = "S"  # standard and reduced rates alike
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"  # intra-community supply of goods and services
    EXPORT = "G"  # free export item, tax not charged
    NOT_SUBJECT = "O"  # services outside the scope of tax
    CANARY_ISLANDS = "L"  # IGIC
    CEUTA_MELILLA = "M"  # IPSI


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CASH = "cash"
    DIRECT_DEBIT = "direct_debit"
    OTHER = "other"
    # Not money from outside: moved between an invoice and the customer's credit.
    CUSTOMER_CREDIT = "customer_credit"


class PaymentSource(StrEnum):
    MANUAL = "manual"
    BANK_IMPORT = "bank_import"
    GATEWAY = "gateway"


class CreditKind(StrEnum):
    """Why money entered or left a customer's credit."""

    OVERPAYMENT = "overpayment"  # in: paid beyond an invoice's open balance
    CREDIT_NOTE = "credit_note"  # in: credited beyond an invoice's open balance
    APPLIED = "applied"  # out: paid another open invoice
    REFUNDED = "refunded"  # out: paid back to the customer
    REVERSAL = "reversal"  # either way: a reversed payment or refund took or gave it back


class BankLineState(StrEnum):
    """Where an imported bank line stands with finance."""

    UNMATCHED = "unmatched"  # no invoice found: finance books it by hand or ignores it
    PROPOSED = "proposed"  # matches are proposed, waiting for a person to confirm
    BOOKED = "booked"  # its money is booked as payments
    IGNORED = "ignored"  # not invoice money (fees, transfers), with a reason


class MatchConfidence(StrEnum):
    EXACT = "exact"  # our number or reference, the right currency and the exact open amount
    PROBABLE = "probable"  # likely, but a person must look (amount, payer, typo)


class StripeEventOutcome(StrEnum):
    """What the back office did with a Stripe webhook event."""

    BOOKED = "booked"  # a payment or refund was recorded
    ALREADY_BOOKED = "already_booked"  # its payment was booked from the sibling event
    IGNORED = "ignored"  # a type we do not handle, or not one of our checkouts
    NEEDS_ATTENTION = "needs_attention"  # ours, but not bookable: finance must look


class DocumentKind(StrEnum):
    """What a stored document of an issued invoice is."""

    PDF = "pdf"  # the invoice as people read it
    FACTURX = "facturx"  # the same PDF with its EN 16931 CII XML embedded (Factur-X/ZUGFeRD)
    UBL = "ubl"  # UBL 2.1 XML, Peppol BIS Billing 3.0


class EInvoiceFormat(StrEnum):
    """Which e-invoice a customer gets with their emails."""

    NONE = "none"
    FACTURX = "facturx"
    UBL = "ubl"


class EmailPurpose(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    REMINDER = "reminder"


class EmailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def check_in(column: str, enum: type[StrEnum]) -> str:
    """Build a CHECK expression restricting a text column to an enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


class SyncProvider(StrEnum):
    """Accounting systems the back office pushes its records to."""

    XERO = "xero"
    QUICKBOOKS = "quickbooks"
    MYOB = "myob"


class ConnectionStatus(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    # The provider refused the refresh token: someone must connect again.
    NEEDS_RECONNECT = "needs_reconnect"


class SyncRecordType(StrEnum):
    """What a sync record pushes; record_id points into the table named beside each."""

    CUSTOMER = "customer"  # customers
    INVOICE = "invoice"  # invoices, kind invoice
    CREDIT_NOTE = "credit_note"  # invoices, kind credit_note
    ALLOCATION = "allocation"  # invoices: a credit note set against the invoice it credits
    PAYMENT = "payment"  # payments


class SyncStatus(StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    FAILED = "failed"
    CONFLICT = "conflict"


class BulkKind(StrEnum):
    """What a bulk run does to each of its invoices."""

    ISSUE = "issue"  # issue the selected drafts
    SEND = "send"  # email the selected issued invoices
    ZIP = "zip"  # one ZIP of the selected invoices' PDFs
    SEND_UNSENT = "send_unsent"  # email every issued invoice of a company never emailed


class BulkState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    STOPPED = "stopped"  # the job failed for good; Retry on the Jobs screen resumes it


class BulkItemState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"  # nothing to do: another run or person did it already
    FAILED = "failed"

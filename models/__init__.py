"""SQLAlchemy models: plain SQLAlchemy 2, no Flask."""

from .audit import AuditEvent
from .bank import (
    BankAccount,
    BankTransaction,
    BankTransactionPayment,
    MatchAllocation,
    MatchProposal,
)
from .base import Base, utcnow
from .bulk_run import BulkRun, BulkRunItem
from .card_payment import CheckoutSession, StripeEvent
from .company import Company, NumberingSeries
from .customer import Customer
from .customer_credit import CustomerCreditEntry
from .document import DocumentFailure, StoredDocument
from .email import EmailMessage
from .enums import (
    BankLineState,
    BulkItemState,
    BulkKind,
    BulkState,
    ConnectionStatus,
    CreditKind,
    DocumentKind,
    EInvoiceFormat,
    EmailPurpose,
    EmailStatus,
    InvoiceKind,
    InvoiceStatus,
    MatchConfidence,
    PaymentMethod,
    PaymentSource,
    Role,
    StripeEventOutcome,
    SyncProvider,
    SyncRecordType,
    SyncStatus,
    TaxCategory,
)
from .invoice import Invoice, InvoiceLine, InvoiceTaxTotal
from .payment import Payment
from .product import Product, TaxRate
from .report_summary import (
    ReportMonthCustomers,
    ReportMonthDocuments,
    ReportMonthPayments,
    ReportMonthTaxes,
    ReportOpenCustomers,
    ReportOpenDue,
)
from .staff_session import StaffSession
from .sync import (
    AccountingConnection,
    AccountingMapping,
    PaymentAccountMapping,
    SyncRecord,
    TaxTypeMapping,
)
from .user import RecoveryCode, User, user_companies

__all__ = [
    "AccountingConnection",
    "AccountingMapping",
    "AuditEvent",
    "BankAccount",
    "BankLineState",
    "BankTransaction",
    "BankTransactionPayment",
    "Base",
    "BulkItemState",
    "BulkKind",
    "BulkRun",
    "BulkRunItem",
    "BulkState",
    "CheckoutSession",
    "Company",
    "ConnectionStatus",
    "CreditKind",
    "Customer",
    "CustomerCreditEntry",
    "DocumentFailure",
    "DocumentKind",
    "EInvoiceFormat",
    "EmailMessage",
    "EmailPurpose",
    "EmailStatus",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceStatus",
    "InvoiceTaxTotal",
    "MatchAllocation",
    "MatchConfidence",
    "MatchProposal",
    "NumberingSeries",
    "Payment",
    "PaymentAccountMapping",
    "PaymentMethod",
    "PaymentSource",
    "Product",
    "RecoveryCode",
    "ReportMonthCustomers",
    "ReportMonthDocuments",
    "ReportMonthPayments",
    "ReportMonthTaxes",
    "ReportOpenCustomers",
    "ReportOpenDue",
    "Role",
    "StaffSession",
    "StoredDocument",
    "StripeEvent",
    "StripeEventOutcome",
    "SyncProvider",
    "SyncRecord",
    "SyncRecordType",
    "SyncStatus",
    "TaxCategory",
    "TaxRate",
    "TaxTypeMapping",
    "User",
    "user_companies",
    "utcnow",
]

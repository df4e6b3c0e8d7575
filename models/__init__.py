"""SQLAlchemy models: plain SQLAlchemy 2, no Flask."""

from .audit import AuditEvent
from .base import Base, utcnow
from .bulk_run import BulkRun, BulkRunItem
from .card_payment import CheckoutSession, StripeEvent
from .company import Company, NumberingSeries
from .customer import Customer
from .customer_credit import CustomerCreditEntry
from .document import DocumentFailure, StoredDocument
from .email import EmailMessage
from .enums import (
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
    "NumberingSeries",
    "Payment",
    "PaymentAccountMapping",
    "PaymentMethod",
    "PaymentSource",
    "Product",
    "RecoveryCode",
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

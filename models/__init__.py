"""SQLAlchemy models: plain SQLAlchemy 2, no Flask."""

from .audit import AuditEvent
from .base import Base, utcnow
from .card_payment import CheckoutSession, StripeEvent
from .company import Company, NumberingSeries
from .customer import Customer
from .document import DocumentFailure, StoredDocument
from .email import EmailMessage
from .enums import (
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
    TaxCategory,
)
from .invoice import Invoice, InvoiceLine, InvoiceTaxTotal
from .payment import Payment
from .product import Product, TaxRate
from .staff_session import StaffSession
from .user import RecoveryCode, User, user_companies

__all__ = [
    "AuditEvent",
    "Base",
    "CheckoutSession",
    "Company",
    "Customer",
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
    "PaymentMethod",
    "PaymentSource",
    "Product",
    "RecoveryCode",
    "Role",
    "StaffSession",
    "StoredDocument",
    "StripeEvent",
    "StripeEventOutcome",
    "TaxCategory",
    "TaxRate",
    "User",
    "user_companies",
    "utcnow",
]

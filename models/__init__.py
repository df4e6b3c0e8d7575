"""SQLAlchemy models: plain SQLAlchemy 2, no Flask."""

from .audit import AuditEvent
from .base import Base, utcnow
from .company import Company, NumberingSeries
from .customer import Customer
from .enums import (
    InvoiceKind,
    InvoiceStatus,
    PaymentMethod,
    PaymentSource,
    Role,
    TaxCategory,
)
from .invoice import Invoice, InvoiceLine, InvoiceTaxTotal
from .payment import Payment
from .product import Product, TaxRate
from .user import User, user_companies

__all__ = [
    "AuditEvent",
    "Base",
    "Company",
    "Customer",
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
    "Role",
    "TaxCategory",
    "TaxRate",
    "User",
    "user_companies",
    "utcnow",
]

"""What the MYOB Business API expects for each local record: Contact/Customer,
Sale/Invoice/Service (a credit note is a negative one), Sale/CustomerPayment, and a
Sale/CreditSettlement that sets a credit note against its invoice.

MYOB takes no idempotency key: each payload carries a natural key (DisplayID, Number, Memo)
by which a record created by an attempt in doubt is found instead of created again.
"""

from typing import Any

from models import AccountingMapping, Customer, Invoice, InvoiceKind, Payment

from ..money import round_money
from .amounts import allocatable
from .mapping import payment_account, tax_type
from .provider import Remote

NUMBER_LENGTH = 13  # MYOB's limit for a sale's number
NAME_LENGTH = 50


def number(reference: str) -> str:
    """Our number in MYOB's 13 characters: INV-2026-000123 becomes INV2026000123."""
    return reference.replace("-", "")[-NUMBER_LENGTH:]


def customer(local: Customer, mapping: AccountingMapping) -> dict[str, Any]:
    default_tax = mapping.tax_types[0].tax_type if mapping.tax_types else ""
    return {
        "CompanyName": local.name[:NAME_LENGTH],
        "IsIndividual": False,
        "DisplayID": f"C{local.id}",
        "IsActive": True,
        "Addresses": [
            {
                "Location": 1,
                "Street": local.address,
                "City": local.city,
                "PostCode": local.postal_code,
                "Country": local.country,
                "Email": local.email.split(",")[0].strip(),
            }
        ],
        "SellingDetails": {
            "TaxCode": {"UID": default_tax},
            "FreightTaxCode": {"UID": default_tax},
        },
    }


def invoice(document: Invoice, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    """A sale; a credit note is the same sale with negative amounts (a customer return)."""
    sign = -1 if document.kind == InvoiceKind.CREDIT_NOTE else 1
    return {
        "Number": number(document.reference),
        "Date": f"{document.issue_date.isoformat()}T00:00:00",
        "Customer": {"UID": remote("customer", document.customer_id)},
        "CustomerPurchaseOrderNumber": document.po_reference[:20],
        "IsTaxInclusive": False,
        "Lines": [
            {
                "Type": "Transaction",
                "Description": line.description,
                "Total": sign * line.net_amount,
                "Account": {"UID": mapping.sales_account_code},
                "TaxCode": {"UID": tax_type(mapping, line.tax_rate_id)},
            }
            for line in document.lines
        ],
    }


credit_note = invoice


def allocation(document: Invoice, remote: Remote) -> dict[str, Any]:
    return {
        "FromCustomerReturn": {"UID": remote("credit_note", document.id)},
        "Customer": {"UID": remote("customer", document.customer_id)},
        "Date": f"{document.issue_date.isoformat()}T00:00:00",
        "Memo": f"Credit {document.reference}",
        "Invoices": [
            {
                "UID": remote("invoice", document.original_invoice_id),
                "AmountApplied": allocatable(document),
                "Type": "Invoice",
            }
        ],
    }


def payment(received: Payment, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    amount = round_money(received.amount, received.invoice.currency)
    return {
        "DepositTo": "Account",
        "Account": {"UID": payment_account(mapping, received.method)},
        "Customer": {"UID": remote("customer", received.invoice.customer_id)},
        "Date": f"{received.payment_date.isoformat()}T00:00:00",
        "AmountReceived": amount,
        # Unique per payment: how an attempt in doubt finds what it created.
        "Memo": f"Payment {received.id} {received.reference}".strip()[:255],
        "Invoices": [
            {
                "UID": remote("invoice", received.invoice_id),
                "AmountApplied": amount,
                "Type": "Invoice",
            }
        ],
    }

"""What Xero's Accounting API expects for each local record (Contacts, Invoices of Type
ACCREC, CreditNotes of Type ACCRECCREDIT, their Allocations, Payments).

Amounts stay Decimal; http.dumps writes them as exact JSON numbers.
"""

from decimal import Decimal
from typing import Any

from models import AccountingMapping, Customer, Invoice, InvoiceStatus, Payment

from ..money import round_money
from .amounts import allocatable, line_taxes
from .mapping import payment_account, tax_type
from .provider import Remote

# Xero stores exchange rates with 6 decimals.
RATE_PLACES = Decimal("0.000001")


def contact(customer: Customer) -> dict[str, Any]:
    address = {
        "AddressType": "POBOX",  # Xero's postal address: where invoices are sent
        "AddressLine1": customer.address,
        "City": customer.city,
        "PostalCode": customer.postal_code,
        "Country": customer.country,
    }
    payload: dict[str, Any] = {
        "Name": customer.name,
        # Our customer number, shown in Xero and found by its contact search.
        "ContactNumber": f"C{customer.id}",
        "EmailAddress": customer.email.split(",")[0].strip(),
        "DefaultCurrency": customer.currency,
        "Addresses": [address],
    }
    if customer.vat_id:
        payload["TaxNumber"] = customer.vat_id
    return payload


def _lines(document: Invoice, mapping: AccountingMapping) -> list[dict[str, Any]]:
    # Each line's tax as the document has it: Xero would work it out per line otherwise.
    return [
        {
            "Description": line.description,
            "Quantity": line.quantity,
            "UnitAmount": line.unit_price,
            "DiscountRate": line.discount_percent,
            "AccountCode": mapping.sales_account_code,
            "TaxType": tax_type(mapping, line.tax_rate_id),
            "TaxAmount": tax,
        }
        for line, tax in zip(document.lines, line_taxes(document), strict=True)
    ]


def _document(document: Invoice, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "Contact": {"ContactID": remote("customer", document.customer_id)},
        "Date": document.issue_date.isoformat(),
        "CurrencyCode": document.currency,
        "Status": "VOIDED" if document.status == InvoiceStatus.VOID else "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": _lines(document, mapping),
    }
    if document.currency != document.company.base_currency:
        # Xero's rate is invoice-currency units per base unit; ours is the inverse.
        payload["CurrencyRate"] = (1 / document.exchange_rate).quantize(RATE_PLACES)
    return payload


def invoice(document: Invoice, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    payload = _document(document, mapping, remote)
    return {
        "Type": "ACCREC",
        "InvoiceNumber": document.reference,
        "Reference": document.po_reference,
        "DueDate": document.due_date.isoformat(),
        **payload,
    }


def credit_note(document: Invoice, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    return {
        "Type": "ACCRECCREDIT",
        "CreditNoteNumber": document.reference,
        "Reference": document.original_invoice.reference,
        **_document(document, mapping, remote),
    }


def allocation(document: Invoice, remote: Remote) -> dict[str, Any]:
    """The credit note set against the invoice it credits, as far as that is still owed."""
    return {
        "Invoice": {"InvoiceID": remote("invoice", document.original_invoice_id)},
        "Amount": allocatable(document),
        "Date": document.issue_date.isoformat(),
    }


def payment(received: Payment, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    return {
        "Invoice": {"InvoiceID": remote("invoice", received.invoice_id)},
        "Account": {"Code": payment_account(mapping, received.method)},
        "Date": received.payment_date.isoformat(),
        "Amount": round_money(received.amount, received.invoice.currency),
        "Reference": received.reference,
    }

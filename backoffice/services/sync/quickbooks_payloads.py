"""What QuickBooks Online's Accounting API expects for each local record: Customer, Invoice,
CreditMemo, Payment, and a zero Payment that applies a credit memo to its invoice.

QuickBooks sells Items, not accounts: the mapping's sales account code is the id of the Item
(of type Service) whose income account takes the sales. Amounts stay Decimal.
"""

from decimal import Decimal
from typing import Any

from models import AccountingMapping, Customer, Invoice, Payment

from ..money import round_money
from .amounts import allocatable
from .mapping import payment_account, tax_type
from .provider import Remote

# QuickBooks' limits on a few text fields.
DISPLAY_NAME_LENGTH = 100
DOC_NUMBER_LENGTH = 21


def customer(local: Customer) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "DisplayName": local.name[:DISPLAY_NAME_LENGTH],
        "CompanyName": local.name[:DISPLAY_NAME_LENGTH],
        "PrimaryEmailAddr": {"Address": local.email.split(",")[0].strip()},
        "BillAddr": {
            "Line1": local.address,
            "City": local.city,
            "PostalCode": local.postal_code,
            "Country": local.country,
        },
        "CurrencyRef": {"value": local.currency},
    }
    if local.vat_id:
        payload["PrimaryTaxIdentifier"] = local.vat_id
    return payload


def _lines(document: Invoice, mapping: AccountingMapping) -> list[dict[str, Any]]:
    lines = []
    for line in document.lines:
        detail: dict[str, Any] = {
            "ItemRef": {"value": mapping.sales_account_code},
            "TaxCodeRef": {"value": tax_type(mapping, line.tax_rate_id)},
        }
        if not line.discount_percent:
            # With a discount, Amount differs from Qty x UnitPrice, which QuickBooks refuses.
            detail |= {"Qty": line.quantity, "UnitPrice": line.unit_price}
        lines.append(
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": line.net_amount,
                "Description": line.description,
                "SalesItemLineDetail": detail,
            }
        )
    return lines


def _document(document: Invoice, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "CustomerRef": {"value": remote("customer", document.customer_id)},
        "DocNumber": document.reference[:DOC_NUMBER_LENGTH],
        "TxnDate": document.issue_date.isoformat(),
        "CurrencyRef": {"value": document.currency},
        "Line": _lines(document, mapping),
    }
    if document.currency != document.company.base_currency:
        # QuickBooks' ExchangeRate is home-currency units per foreign unit, as ours.
        payload["ExchangeRate"] = document.exchange_rate
    return payload


def invoice(document: Invoice, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    return {**_document(document, mapping, remote), "DueDate": document.due_date.isoformat()}


def credit_note(document: Invoice, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    return _document(document, mapping, remote)


def allocation(document: Invoice, remote: Remote) -> dict[str, Any]:
    """A payment of nothing that sets the credit memo against the invoice it credits."""
    amount = allocatable(document)
    return {
        "CustomerRef": {"value": remote("customer", document.customer_id)},
        "TotalAmt": round_money(Decimal(0), document.currency),
        "TxnDate": document.issue_date.isoformat(),
        "Line": [
            {
                "Amount": amount,
                "LinkedTxn": [
                    {"TxnId": remote("invoice", document.original_invoice_id), "TxnType": "Invoice"}
                ],
            },
            {
                "Amount": amount,
                "LinkedTxn": [
                    {"TxnId": remote("credit_note", document.id), "TxnType": "CreditMemo"}
                ],
            },
        ],
    }


def payment(received: Payment, mapping: AccountingMapping, remote: Remote) -> dict[str, Any]:
    amount = round_money(received.amount, received.invoice.currency)
    return {
        "CustomerRef": {"value": remote("customer", received.invoice.customer_id)},
        "TotalAmt": amount,
        "TxnDate": received.payment_date.isoformat(),
        "PaymentRefNum": received.reference[:DOC_NUMBER_LENGTH],
        "DepositToAccountRef": {"value": payment_account(mapping, received.method)},
        "Line": [
            {
                "Amount": amount,
                "LinkedTxn": [
                    {"TxnId": remote("invoice", received.invoice_id), "TxnType": "Invoice"}
                ],
            }
        ],
    }

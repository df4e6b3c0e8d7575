"""The columns of Xero's sales-invoice import and QuickBooks Online's invoice import, and what
each document line puts in them.

Xero (Business > Invoices > Import, its template's headings, * marks the required ones):
a credit note is a document with negative quantities, which Xero imports as a credit note;
Discount is the line's discount percentage and UnitAmount is exclusive of tax.
QuickBooks Online (Sales > Import invoices): a line with a discount gives its amount alone,
as QuickBooks refuses an amount other than quantity x rate; the Item column names the item
the mapping sells on every line, and a credit note's lines are negative amounts.
Dates are written day first (month first for US companies), as the importers read them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models import AccountingMapping, Invoice, InvoiceLine

from ..money import round_money
from .mapping import tax_type

Cells = dict[str, object]


@dataclass(frozen=True)
class Layout:
    headers: tuple[str, ...]
    row: Callable[[Invoice, InvoiceLine, AccountingMapping, Decimal], Cells]


def _day(document: Invoice, day: date) -> str:
    month_first = document.company.country == "US"
    return day.strftime("%m/%d/%Y" if month_first else "%d/%m/%Y")


def _plain(value: Decimal) -> Decimal:
    """A quantity without trailing zeros: 2.0000 is 2 (written 2, never 2E+0)."""
    return value.normalize() + 0


def _price(value: Decimal, currency: str) -> Decimal:
    """A unit price in the currency's minor units, or with its own decimals where it has more."""
    rounded = round_money(value, currency)
    return rounded if rounded == value else _plain(value)


def _buyer(document: Invoice) -> dict:
    """The customer as the document was issued to (frozen at issue), else as it is now."""
    customer = document.customer
    details = document.buyer_details or {}
    return {
        "name": details.get("name") or customer.name,
        "address": details.get("address") or customer.address,
        "city": details.get("city") or customer.city,
        "postal_code": details.get("postal_code") or customer.postal_code,
        "country": details.get("country") or customer.country,
        "email": customer.email.split(",")[0].strip(),
    }


def _reference(document: Invoice) -> str:
    if document.original_invoice is not None:
        return document.original_invoice.reference or ""
    return document.po_reference


XERO_HEADERS = (
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
    "BrandingTheme",
)


def xero_row(
    document: Invoice, line: InvoiceLine, mapping: AccountingMapping, sign: Decimal
) -> Cells:
    buyer = _buyer(document)
    # Xero's address lines hold one line each; ours is free text over several lines.
    address = [part.strip() for part in buyer["address"].splitlines() if part.strip()]
    return {
        "*ContactName": buyer["name"],
        "EmailAddress": buyer["email"],
        **{f"POAddressLine{n}": part for n, part in enumerate(address[:3], start=1)},
        # Whatever does not fit in three lines stays together in the fourth.
        "POAddressLine4": ", ".join(address[3:]),
        "POCity": buyer["city"],
        "POPostalCode": buyer["postal_code"],
        "POCountry": buyer["country"],
        "*InvoiceNumber": document.reference,
        "Reference": _reference(document),
        "*InvoiceDate": _day(document, document.issue_date),
        "*DueDate": _day(document, document.due_date or document.issue_date),
        "*Description": line.description,
        "*Quantity": _plain(sign * line.quantity),
        "*UnitAmount": _price(line.unit_price, document.currency),
        "Discount": _plain(line.discount_percent) if line.discount_percent else None,
        "*AccountCode": mapping.sales_account_code,
        "*TaxType": tax_type(mapping, line.tax_rate_id),
        "Currency": document.currency,
    }


QUICKBOOKS_HEADERS = (
    "InvoiceNo",
    "Customer",
    "InvoiceDate",
    "DueDate",
    "Terms",
    "Memo",
    "Item(Product/Service)",
    "ItemDescription",
    "ItemQuantity",
    "ItemRate",
    "ItemAmount",
    "ItemTaxCode",
    "Currency",
)


def quickbooks_row(
    document: Invoice, line: InvoiceLine, mapping: AccountingMapping, sign: Decimal
) -> Cells:
    cells: Cells = {
        "InvoiceNo": document.reference,
        "Customer": _buyer(document)["name"],
        "InvoiceDate": _day(document, document.issue_date),
        "DueDate": _day(document, document.due_date or document.issue_date),
        "Memo": _reference(document),
        "Item(Product/Service)": mapping.sales_account_code,
        "ItemDescription": line.description,
        "ItemAmount": round_money(sign * line.net_amount, document.currency),
        "ItemTaxCode": tax_type(mapping, line.tax_rate_id),
        "Currency": document.currency,
    }
    if not line.discount_percent:
        cells |= {
            "ItemQuantity": _plain(sign * line.quantity),
            "ItemRate": _price(line.unit_price, document.currency),
        }
    return cells


XERO = Layout(XERO_HEADERS, xero_row)
QUICKBOOKS = Layout(QUICKBOOKS_HEADERS, quickbooks_row)

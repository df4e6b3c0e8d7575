"""Drafts and their lines: created, checked, priced; the only invoices that may change."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from models import (
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Product,
    TaxRate,
    User,
    utcnow,
)

from ..errors import DomainError
from ..money import check_fits, parse_decimal, require_currency
from ..permissions import Action, require
from ..scoping import require_company
from .draft_limits import check_size
from .pricing import price


@dataclass(frozen=True)
class LineInput:
    """A line as a person typed it; numbers arrive as text or Decimal and are checked here."""

    description: str
    quantity: str | Decimal
    unit_price: str | Decimal
    tax_rate_id: int
    discount_percent: str | Decimal = "0"
    product_id: int | None = None
    unit: str = "unit"


def require_draft(invoice: Invoice) -> None:
    """Refuse to change anything but a draft."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise DomainError(
            f"{invoice} is {invoice.status}: an issued invoice cannot be changed; "
            "correct it with a credit note."
        )


def check_dates(issue_date: date | None, due_date: date | None) -> None:
    """Refuse a due date before the issue date."""
    if issue_date and due_date and due_date < issue_date:
        raise DomainError("The due date cannot be before the issue date.", "due_date")


def create_draft(
    session: Session,
    actor: User,
    customer: Customer,
    *,
    currency: str | None = None,
    issue_date: date | None = None,
    due_date: date | None = None,
    po_reference: str = "",
    notes: str = "",
    terms: str = "",
    exchange_rate: Decimal | None = None,
) -> Invoice:
    """Start a draft invoice for a customer, in the customer's currency unless told otherwise."""
    require(actor, Action.EDIT_DRAFT)
    require_company(actor, customer.company_id)
    check_dates(issue_date, due_date)
    check_size(0, notes=notes, terms=terms)
    invoice = Invoice(
        company_id=customer.company_id,
        customer=customer,
        kind=InvoiceKind.INVOICE.value,
        status=InvoiceStatus.DRAFT.value,
        currency=require_currency(currency or customer.currency),
        issue_date=issue_date,
        due_date=due_date,
        po_reference=po_reference,
        notes=notes,
        terms=terms,
        exchange_rate=exchange_rate,
        created_by_id=actor.id,
    )
    session.add(invoice)
    session.flush()
    return invoice


def prepare_draft(session: Session, actor: User, invoice: Invoice, *, is_created: bool) -> None:
    """Check and complete a draft a form has just filled in, then recompute its totals."""
    require(actor, Action.EDIT_DRAFT)
    if is_created:
        # Column defaults apply only at INSERT; the rules below need them now.
        invoice.kind = InvoiceKind.INVOICE.value
        invoice.status = InvoiceStatus.DRAFT.value
        invoice.created_by_id = actor.id
    require_draft(invoice)
    check_dates(invoice.issue_date, invoice.due_date)
    invoice.company_id = invoice.customer.company_id
    require_company(actor, invoice.company_id)
    invoice.currency = require_currency(invoice.currency or invoice.customer.currency)
    original = invoice.original_invoice
    if original is not None and (invoice.customer_id, invoice.currency) != (
        original.customer_id,
        original.currency,
    ):
        raise DomainError("A credit note keeps the customer and currency of its invoice.")
    if original is not None and invoice.exchange_rate != original.exchange_rate:
        # Another rate would leave revenue and VAT in the base currency behind on an invoice
        # credited in full (USD 1,190 at 0.90, credited at 0.80: EUR 100 and 19 of VAT).
        raise DomainError(
            f"A credit note keeps the exchange rate of its invoice {original.reference}: "
            f"{original.exchange_rate} from {original.currency} to "
            f"{invoice.company.base_currency}, so it takes back what that invoice booked.",
            "exchange_rate",
        )
    check_size(len(invoice.lines), notes=invoice.notes, terms=invoice.terms)
    for position, line in enumerate(invoice.lines, start=1):
        check_line(line, invoice)
        line.position = position
    recalculate(session, invoice)


LINE_COLUMNS = InvoiceLine.__table__.c


def check_amounts(
    quantity: Decimal | None, unit_price: Decimal | None, discount: Decimal | None
) -> None:
    """Refuse a line's quantity, unit price or discount that the rules or the columns refuse."""
    columns = {"quantity": quantity, "unit_price": unit_price, "discount_percent": discount}
    labels = {"quantity": "Quantity", "unit_price": "Unit price", "discount_percent": "Discount"}
    for field, value in columns.items():
        if value is None:
            raise DomainError(f"Every line needs a {labels[field].lower()}.", field)
        # Before any comparison: it refuses NaN and infinity, which cannot be compared.
        check_fits(value, LINE_COLUMNS[field].type, field, labels[field])
    if quantity <= 0:
        raise DomainError("Quantity must be greater than zero.", "quantity")
    if unit_price < 0:
        # EN 16931 BR-27: an item's net price is never negative.
        raise DomainError(
            "Unit price cannot be negative: give the line a discount, or correct an issued "
            "invoice with a credit note.",
            "unit_price",
        )
    if not 0 <= discount <= 100:
        raise DomainError("Discount must be between 0 and 100 percent.", "discount_percent")


def _check_line_values(
    quantity: Decimal | None,
    unit_price: Decimal | None,
    discount: Decimal | None,
    description: str | None,
    has_rate: bool,
) -> None:
    check_amounts(quantity, unit_price, discount)
    if not (description or "").strip():
        raise DomainError("Every line needs a description.", "description")
    check_size(0, description=description)
    if not has_rate:
        raise DomainError("Choose a tax rate for the line.", "tax_rate_id")


def _check_product(product: Product | None, invoice: Invoice) -> None:
    if product is not None and product.company_id != invoice.company_id:
        raise DomainError("That product belongs to another company.", "product_id")


def check_line(line: InvoiceLine, invoice: Invoice) -> None:
    """Refuse a line a form filled in whose values break the rules."""
    if line.discount_percent is None:
        line.discount_percent = Decimal(0)
    _check_line_values(
        line.quantity,
        line.unit_price,
        line.discount_percent,
        line.description,
        line.tax_rate is not None or line.tax_rate_id is not None,
    )
    _check_product(line.product, invoice)


def _parsed_line(session: Session, invoice: Invoice, data: LineInput) -> dict:
    quantity = parse_decimal(data.quantity, "quantity", "Quantity")
    unit_price = parse_decimal(data.unit_price, "unit_price", "Unit price")
    discount = parse_decimal(data.discount_percent, "discount_percent", "Discount")
    has_rate = session.get(TaxRate, data.tax_rate_id) is not None
    _check_line_values(quantity, unit_price, discount, data.description, has_rate)
    if data.product_id is not None:
        product = session.get(Product, data.product_id)
        if product is None:
            raise DomainError("That product does not exist.", "product_id")
        _check_product(product, invoice)
    return {
        "description": data.description.strip(),
        "quantity": quantity,
        "unit_price": unit_price,
        "discount_percent": discount,
        "tax_rate_id": data.tax_rate_id,
        "product_id": data.product_id,
        "unit": data.unit or "unit",
    }


def add_line(session: Session, actor: User, invoice: Invoice, data: LineInput) -> InvoiceLine:
    """Append a line to a draft and recompute its totals."""
    require(actor, Action.EDIT_DRAFT)
    require_company(actor, invoice.company_id)
    require_draft(invoice)
    check_size(len(invoice.lines) + 1)
    position = max((line.position for line in invoice.lines), default=0) + 1
    line = InvoiceLine(position=position, **_parsed_line(session, invoice, data))
    invoice.lines.append(line)
    recalculate(session, invoice)
    return line


def recalculate(session: Session, invoice: Invoice) -> None:
    """Recompute line nets, the per-rate breakdown and totals of a draft."""
    require_draft(invoice)
    # A line a form attached to its tax rate by relationship gets tax_rate_id at flush.
    session.flush()
    price(session, invoice)
    # Any change to a draft moves its version, so a screen opened before it is detected.
    invoice.updated_at = utcnow()
    session.flush()


def delete_draft(session: Session, actor: User, invoice: Invoice) -> None:
    """Delete a draft; issued invoices are never deleted."""
    require(actor, Action.DELETE_DRAFT)
    require_company(actor, invoice.company_id)
    require_draft(invoice)
    session.delete(invoice)
    session.flush()

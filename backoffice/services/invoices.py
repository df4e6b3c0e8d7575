"""The invoice lifecycle: drafts, lines, issue, void and credit notes."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoiceTaxTotal,
    Product,
    TaxRate,
    User,
    utcnow,
)

from . import audit, credit_notes, documents, work
from .errors import DomainError
from .locking import lock_invoice
from .money import check_fits, parse_decimal, require_currency
from .numbering import default_series, format_reference, take_next_number
from .permissions import Action, require, require_company
from .status import OPEN_STATUSES, derive_status
from .totals import Totals, totals_of_lines


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


def _require_draft(invoice: Invoice) -> None:
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
    _require_draft(invoice)
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
    for position, line in enumerate(invoice.lines, start=1):
        check_line(line, invoice)
        line.position = position
    recalculate(session, invoice)


LINE_COLUMNS = InvoiceLine.__table__.c


def _check_line_values(
    quantity: Decimal | None,
    unit_price: Decimal | None,
    discount: Decimal | None,
    description: str | None,
    has_rate: bool,
) -> None:
    columns = {"quantity": quantity, "unit_price": unit_price, "discount_percent": discount}
    labels = {"quantity": "Quantity", "unit_price": "Unit price", "discount_percent": "Discount"}
    for field, value in columns.items():
        if value is None:
            raise DomainError(f"Every line needs a {labels[field].lower()}.", field)
        # Before any comparison: it refuses NaN and infinity, which cannot be compared.
        check_fits(value, LINE_COLUMNS[field].type, field, labels[field])
    if quantity <= 0:
        raise DomainError("Quantity must be greater than zero.", "quantity")
    if not 0 <= discount <= 100:
        raise DomainError("Discount must be between 0 and 100 percent.", "discount_percent")
    if not (description or "").strip():
        raise DomainError("Every line needs a description.", "description")
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
    _require_draft(invoice)
    position = max((line.position for line in invoice.lines), default=0) + 1
    line = InvoiceLine(position=position, **_parsed_line(session, invoice, data))
    invoice.lines.append(line)
    recalculate(session, invoice)
    return line


def update_line(session: Session, actor: User, line: InvoiceLine, data: LineInput) -> InvoiceLine:
    """Replace a draft line's content and recompute the totals."""
    require(actor, Action.EDIT_DRAFT)
    require_company(actor, line.invoice.company_id)
    _require_draft(line.invoice)
    for key, value in _parsed_line(session, line.invoice, data).items():
        setattr(line, key, value)
    recalculate(session, line.invoice)
    return line


def remove_line(session: Session, actor: User, line: InvoiceLine) -> None:
    """Delete a line from a draft and recompute the totals."""
    require(actor, Action.EDIT_DRAFT)
    invoice = line.invoice
    require_company(actor, invoice.company_id)
    _require_draft(invoice)
    invoice.lines.remove(line)
    recalculate(session, invoice)


def recalculate(session: Session, invoice: Invoice) -> None:
    """Recompute line nets, the per-rate breakdown and totals of a draft."""
    _require_draft(invoice)
    session.flush()
    lines = list(invoice.lines)
    rates = _rates_for(session, invoice, {line.tax_rate_id for line in lines})
    totals = totals_of_lines(lines, rates, invoice.currency)
    for line, net in zip(lines, totals.line_nets, strict=True):
        line.net_amount = net
    invoice.tax_totals.clear()
    session.flush()
    invoice.tax_totals.extend(tax_total_rows(totals))
    invoice.net_amount = totals.net_amount
    invoice.tax_amount = totals.tax_amount
    invoice.total_amount = totals.total_amount
    # Any change to a draft moves its version, so a screen opened before it is detected.
    invoice.updated_at = utcnow()
    session.flush()


def tax_total_rows(totals: Totals) -> list[InvoiceTaxTotal]:
    """The per-rate breakdown as rows kept with the invoice."""
    return [
        InvoiceTaxTotal(
            tax_rate_id=rate.tax_rate_id,
            percentage=rate.percentage,
            category=rate.category,
            taxable_amount=rate.taxable_amount,
            tax_amount=rate.tax_amount,
        )
        for rate in totals.breakdown
    ]


def _rates_for(session: Session, invoice: Invoice, rate_ids: set[int]) -> dict[int, tuple]:
    """Percentage and category per tax rate; a credit note keeps what the original charged."""
    rates = {}
    for rate_id in rate_ids:
        rate = session.get(TaxRate, rate_id)
        rates[rate_id] = (rate.percentage, rate.category)
    if invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.original_invoice is not None:
        for charged in invoice.original_invoice.tax_totals:
            if charged.tax_rate_id in rates:
                rates[charged.tax_rate_id] = (charged.percentage, charged.category)
    return rates


def issue(session: Session, actor: User, invoice: Invoice, today: date) -> Invoice:
    """Assign the next number and freeze the invoice, in the caller's transaction."""
    require(actor, Action.ISSUE)
    require_company(actor, invoice.company_id)
    lock_invoice(session, invoice)
    _require_draft(invoice)
    if not invoice.lines:
        raise DomainError("Add at least one line before issuing.")
    recalculate(session, invoice)
    if invoice.total_amount < 0:
        raise DomainError("The total cannot be negative; issue a credit note instead.")
    original = invoice.original_invoice
    if original is not None:
        lock_invoice(session, original)
        credit_notes.check_note(session, invoice, original)
    _fix_dates_and_rate(invoice, today)
    # Before the number: loading the parties may flush, and a numbered draft is invalid.
    invoice.seller_details = _details(invoice.company, SELLER_FIELDS)
    invoice.buyer_details = _details(invoice.customer, BUYER_FIELDS)
    _assign_number(session, invoice)
    invoice.issued_at = utcnow()
    invoice.status = InvoiceStatus.ISSUED.value
    if original is not None:
        original.credited_amount += invoice.total_amount
        original.status = derive_status(original).value
    audit.record(session, "invoice.issue", entity=invoice, detail=invoice.reference)
    session.flush()
    work.request_job(session, work.render_pdf_request(invoice, documents.CONTENT_VERSION))
    return invoice


# What the document prints about each party; copied at issue, frozen with the invoice.
SELLER_FIELDS = (
    "name",
    "address",
    "country",
    "tax_id",
    "email",
    "bank_name",
    "iban",
    "bic",
    "logo_path",
)
BUYER_FIELDS = ("name", "address", "postal_code", "city", "country", "vat_id", "language")


def _details(party: object, fields: tuple[str, ...]) -> dict[str, str | None]:
    return {field: getattr(party, field) for field in fields}


def _fix_dates_and_rate(invoice: Invoice, today: date) -> None:
    issue_date = invoice.issue_date or today
    if issue_date > today:
        raise DomainError("An invoice cannot be issued with a future date.", "issue_date")
    due_date = invoice.due_date
    if invoice.kind == InvoiceKind.INVOICE and due_date is None:
        due_date = issue_date + timedelta(days=invoice.customer.payment_terms_days)
    check_dates(issue_date, due_date)
    invoice.issue_date, invoice.due_date = issue_date, due_date
    base = invoice.company.base_currency
    if invoice.currency == base:
        invoice.exchange_rate = Decimal(1)
    elif invoice.exchange_rate is None:
        raise DomainError(
            f"Set the exchange rate from {invoice.currency} to {base} before issuing: "
            "reports in the base currency use it.",
            "exchange_rate",
        )


def _assign_number(session: Session, invoice: Invoice) -> None:
    series = default_series(session, invoice.company_id, invoice.kind)
    number = take_next_number(session, series.id)
    # Under the series lock, so no one issues in between: numbers follow issue dates.
    last_date = session.scalar(
        select(func.max(Invoice.issue_date)).where(
            Invoice.series_id == series.id, Invoice.status != InvoiceStatus.DRAFT
        )
    )
    if last_date is not None and invoice.issue_date < last_date:
        raise DomainError(
            f"Numbers follow issue dates: series {series.code} was last used on {last_date}, "
            "so this one cannot be issued with an earlier date.",
            "issue_date",
        )
    invoice.series_id = series.id
    invoice.number = number
    invoice.reference = format_reference(series, number, invoice.issue_date)


def void(session: Session, actor: User, invoice: Invoice, reason: str) -> Invoice:
    """Void an issued invoice that nothing has paid or credited; it keeps its number."""
    require(actor, Action.VOID)
    require_company(actor, invoice.company_id)
    lock_invoice(session, invoice)
    if invoice.kind != InvoiceKind.INVOICE:
        raise DomainError("A credit note cannot be voided; issue a new invoice to reverse it.")
    if invoice.paid_amount != 0 or invoice.credited_amount != 0:
        raise DomainError(
            f"{invoice} has payments or credit notes and cannot be voided; credit it instead."
        )
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.SENT):
        raise DomainError(
            f"Only an issued or sent invoice can be voided; {invoice} is "
            f"{invoice.status.replace('_', ' ')}."
        )
    if not reason.strip():
        raise DomainError("Give a reason for voiding.", "reason")
    invoice.status = InvoiceStatus.VOID.value
    invoice.voided_at = utcnow()
    invoice.void_reason = reason.strip()
    audit.record(session, "invoice.void", entity=invoice, detail=reason.strip())
    session.flush()
    return invoice


def create_credit_note(
    session: Session, actor: User, original: Invoice, *, notes: str = ""
) -> Invoice:
    """Open a draft credit note that copies the original's lines; edit it for a partial credit."""
    require(actor, Action.CREDIT)
    require_company(actor, original.company_id)
    credit_notes.check_creditable(original)
    note = Invoice(
        company_id=original.company_id,
        customer_id=original.customer_id,
        kind=InvoiceKind.CREDIT_NOTE.value,
        status=InvoiceStatus.DRAFT.value,
        currency=original.currency,
        exchange_rate=original.exchange_rate,
        original_invoice=original,
        po_reference=original.po_reference,
        notes=notes or f"Credit note for {original.reference}",
        created_by_id=actor.id,
        lines=credit_notes.copied_lines(original),
    )
    session.add(note)
    session.flush()
    recalculate(session, note)
    return note


def credit_in_full(session: Session, actor: User, original: Invoice, today: date) -> Invoice:
    """Credit what is left of an invoice and issue the credit note at once."""
    credit_notes.check_creditable(original)
    if original.credited_amount:
        raise DomainError(
            f"{original} was partly credited already: open a draft credit note and adjust "
            "its lines to what is still creditable."
        )
    return issue(session, actor, create_credit_note(session, actor, original), today)


def delete_draft(session: Session, actor: User, invoice: Invoice) -> None:
    """Delete a draft; issued invoices are never deleted."""
    require(actor, Action.DELETE_DRAFT)
    require_company(actor, invoice.company_id)
    _require_draft(invoice)
    session.delete(invoice)
    session.flush()


def mark_sent(session: Session, actor: User, invoice: Invoice) -> Invoice:
    """Record by hand that an issued invoice reached the customer."""
    require(actor, Action.SEND)
    require_company(actor, invoice.company_id)
    return record_delivery(session, invoice)


def record_delivery(session: Session, invoice: Invoice) -> Invoice:
    """The invoice reached the customer (its email was delivered): it counts as sent."""
    if invoice.status not in OPEN_STATUSES:
        raise DomainError(f"{invoice} is {invoice.status} and cannot be sent.")
    invoice.sent_at = invoice.sent_at or utcnow()
    invoice.status = derive_status(invoice).value
    session.flush()
    return invoice

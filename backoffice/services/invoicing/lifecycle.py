"""The lifecycle of an issued document: issue, void, credit, and delivery to the customer."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from models import (
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    SyncRecordType,
    TaxCategory,
    TaxRate,
    User,
    utcnow,
)

from .. import audit
from ..delivery import documents
from ..errors import DomainError
from ..locking import lock_invoice
from ..payments import customer_credit
from ..permissions import Action, require
from ..scoping import require_company
from ..sync import records as sync_records
from . import approvals, credit_notes, exchange_rates, issuing, vat_categories
from .drafts import check_dates, recalculate, require_draft
from .pricing import price
from .status import OPEN_STATUSES, derive_status, status_at_issue


def issue(session: Session, actor: User, invoice: Invoice, today: date) -> Invoice:
    """Assign the next number and freeze the invoice, in the caller's transaction."""
    require(actor, Action.ISSUE)
    require_company(actor, invoice.company_id)
    rates = issuing.load_for_issue(session, invoice)
    original = _check_issuable(session, invoice, rates)
    approvals.check_approved(invoice)
    frozen = {
        **_dates_and_rate(invoice, today),
        "seller_details": _details(invoice.company, SELLER_FIELDS),
        "buyer_details": _details(invoice.customer, BUYER_FIELDS),
        "status": status_at_issue(invoice).value,  # a zero total is settled at once
    }
    if original is not None:
        original.credited_amount += invoice.total_amount
        original.status = derive_status(original).value
    # Lines and tax rows that moved are written while the invoice is still a draft (the
    # database refuses them once it is issued); a draft saved with its totals writes nothing.
    session.flush()
    documents.request_render(session, invoice)
    sync_records.request_push(session, invoice.company_id, _sync_type(invoice), invoice.id)
    # Last, once nothing is left to load or check: the counter row stays locked until the
    # caller commits, and every other issuer of the series waits for it meanwhile.
    issuing.number_and_freeze(session, invoice, frozen)
    if original is not None:
        # Credited beyond what was still owed: the money paid for it is the customer's credit.
        customer_credit.move_excess(
            session,
            original,
            CreditKind.CREDIT_NOTE,
            f"{invoice.reference} credited beyond the open balance of {original.reference}",
            actor.id,
            invoice.issue_date,
        )
    return invoice


def _sync_type(document: Invoice) -> SyncRecordType:
    if document.kind == InvoiceKind.CREDIT_NOTE:
        return SyncRecordType.CREDIT_NOTE
    return SyncRecordType.INVOICE


def _check_issuable(
    session: Session, invoice: Invoice, rates: dict[int, TaxRate]
) -> Invoice | None:
    """Price the draft and check what issuing needs; return the invoice a credit note credits."""
    require_draft(invoice)
    if not invoice.lines:
        raise DomainError("Add at least one line before issuing.")
    price(session, invoice, rates)
    if invoice.total_amount < 0:
        raise DomainError("The total cannot be negative; issue a credit note instead.")
    check_vat_terms(invoice)
    original = invoice.original_invoice
    if original is not None:
        lock_invoice(session, original)
        credit_notes.check_note(session, invoice, original)
    return original


def check_vat_terms(invoice: Invoice) -> None:
    """Refuse a document EN 16931 rejects for its VAT categories."""
    categories = {TaxCategory(total.category) for total in invoice.tax_totals}
    if TaxCategory.NOT_SUBJECT in categories and len(categories) > 1:
        raise DomainError(
            "Lines not subject to VAT (O) cannot share an invoice with taxed or exempt lines "
            "(EN 16931 BR-O-11): put them on an invoice of their own.",
            "tax_rate",
        )
    for total in invoice.tax_totals:
        category = TaxCategory(total.category)
        label = vat_categories.LABELS[category]
        if category in vat_categories.NEEDS_BUYER_VAT_ID and not invoice.customer.vat_id:
            raise DomainError(
                f"{label} needs the customer's VAT id on the invoice: add it to "
                f"{invoice.customer.name} before issuing.",
                "customer",
            )
        if category in vat_categories.NEEDS_REASON and not total.exemption_reason:
            raise DomainError(
                f"{label} needs an exemption reason: give the tax rate one before issuing.",
                "tax_rate",
            )


# What the document prints about each party; copied at issue, frozen with the invoice.
SELLER_FIELDS = (
    "name",
    "address",
    "country",
    "tax_id",
    "registration_id",
    "email",
    "bank_name",
    "iban",
    "bic",
    "logo_path",
)
BUYER_FIELDS = ("name", "address", "postal_code", "city", "country", "vat_id", "language")


def _details(party: object, fields: tuple[str, ...]) -> dict[str, str | None]:
    return {field: getattr(party, field) for field in fields}


def _dates_and_rate(invoice: Invoice, today: date) -> dict[str, object]:
    """The issue and due dates and the exchange rate the draft is issued with."""
    customer, base = invoice.customer, invoice.company.base_currency
    issue_date = invoice.issue_date or today
    if issue_date > today:
        raise DomainError("An invoice cannot be issued with a future date.", "issue_date")
    due_date = invoice.due_date
    if invoice.kind == InvoiceKind.INVOICE and due_date is None:
        due_date = issue_date + timedelta(days=customer.payment_terms_days)
    check_dates(issue_date, due_date)
    rate = invoice.exchange_rate
    if not exchange_rates.needs_rate(invoice.currency, base):
        rate = Decimal(1)
    elif problem := exchange_rates.missing_rate(invoice.currency, base, rate):
        raise DomainError(problem, "exchange_rate")
    return {"issue_date": issue_date, "due_date": due_date, "exchange_rate": rate}


def void(session: Session, actor: User, invoice: Invoice, reason: str) -> Invoice:
    """Void an issued invoice that nothing has paid or credited; it keeps its number."""
    require(actor, Action.VOID)
    require_company(actor, invoice.company_id)
    lock_invoice(session, invoice)
    if invoice.kind != InvoiceKind.INVOICE:
        raise DomainError("A credit note cannot be voided; issue a new invoice to reverse it.")
    # Money that moved, even if refunded since, stays on a live document: voiding would
    # leave payments and refunds booked against an invoice that no longer counts.
    if invoice.payments or invoice.credited_amount != 0:
        raise DomainError(
            f"{invoice} has payments, refunds or credit notes and cannot be voided; "
            "credit it instead."
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
    # An invoice the books already have is voided there too; one they never got stays out.
    sync_records.request_push(
        session, invoice.company_id, SyncRecordType.INVOICE, invoice.id, existing_only=True
    )
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
        lines=credit_notes.lines_left(session, original),
    )
    session.add(note)
    session.flush()
    recalculate(session, note)
    return note


def credit_in_full(session: Session, actor: User, original: Invoice, today: date) -> Invoice:
    """Credit everything still creditable on an invoice and issue the credit note at once;
    above the company's threshold the note stays a draft until a manager approves it."""
    credit_notes.check_creditable(original)
    note = create_credit_note(session, actor, original)
    if approvals.needs_approval(note):
        return note
    return issue(session, actor, note, today)


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

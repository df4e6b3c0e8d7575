"""What an e-invoice says, taken once from an issued document for every syntax (CII, UBL).

Everything comes from the invoice as issued: its frozen parties, lines and tax rows. Amounts
are exactly the stored ones; EN 16931 carries at most 2 decimals, so a document in a currency
with 3 (BHD, KWD, ...) has no e-invoice.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models import Invoice, InvoiceKind, InvoiceStatus, TaxCategory

from ..errors import DomainError
from ..money import currency_exponent, round_money

INVOICE_TYPE = "380"  # UNTDID 1001: commercial invoice
CREDIT_NOTE_TYPE = "381"
SEPA_CREDIT_TRANSFER = "58"  # UNTDID 4461
# UN/ECE Recommendation 20 codes for the units people type; anything else counts as "one".
UNIT_CODES = {
    "h": "HUR",
    "hour": "HUR",
    "hours": "HUR",
    "day": "DAY",
    "days": "DAY",
    "month": "MON",
    "mo": "MON",
    "piece": "H87",
    "pcs": "H87",
    "kg": "KGM",
    "m": "MTR",
    "l": "LTR",
}
ONE = "C62"


@dataclass(frozen=True)
class Party:
    name: str
    registration_id: str | None  # BT-30, the seller's legal registration
    address_lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str
    vat_id: str | None
    email: str | None


@dataclass(frozen=True)
class Line:
    position: int
    name: str
    quantity: Decimal
    unit_code: str
    net_price: Decimal
    net_amount: Decimal
    discount_percent: Decimal
    discount_amount: Decimal  # the line allowance: gross less net
    category: str
    percentage: Decimal


@dataclass(frozen=True)
class VatRow:
    category: str
    percentage: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_code: str | None
    exemption_reason: str


@dataclass(frozen=True)
class EInvoice:
    number: str
    type_code: str
    issue_date: date
    # The back office records no separate date of supply: goods and services are taken as
    # delivered on the issue date (BT-72).
    delivery_date: date
    due_date: date | None
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    vat_rows: tuple[VatRow, ...]
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    amount_due: Decimal
    order_reference: str
    preceding_invoice: str | None
    preceding_invoice_date: date | None
    notes: tuple[str, ...]
    payment_terms: str
    iban: str | None
    bic: str | None

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE_TYPE


def e_invoice(invoice: Invoice) -> EInvoice:
    """The e-invoice content of an issued invoice or credit note; refuses what EN 16931 cannot
    carry, saying what to change."""
    _check_can_carry(invoice)
    seller, buyer = invoice.seller_details, invoice.buyer_details
    rows = {total.tax_rate_id: total for total in invoice.tax_totals}
    original = invoice.original_invoice
    is_note = invoice.kind == InvoiceKind.CREDIT_NOTE
    # Not subject to VAT: no VAT id on either side (BR-O-02, BR-O-03).
    with_vat_ids = not _not_subject(invoice)
    return EInvoice(
        number=invoice.reference,
        type_code=CREDIT_NOTE_TYPE if is_note else INVOICE_TYPE,
        issue_date=invoice.issue_date,
        delivery_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        seller=_party(seller, seller.get("tax_id") if with_vat_ids else None, seller.get("email")),
        buyer=_party(
            buyer,
            buyer.get("vat_id") if with_vat_ids else None,
            _first_email(invoice.customer.email),
        ),
        lines=tuple(_line(line, invoice.currency, rows) for line in invoice.lines),
        vat_rows=_vat_rows(invoice),
        net_amount=invoice.net_amount,
        tax_amount=invoice.tax_amount,
        total_amount=invoice.total_amount,
        # As issued: payments that come later are not part of the document.
        amount_due=invoice.total_amount,
        order_reference=invoice.po_reference or "",
        preceding_invoice=original.reference if original is not None else None,
        preceding_invoice_date=original.issue_date if original is not None else None,
        notes=tuple(text for text in (invoice.notes, invoice.terms) if text and text.strip()),
        payment_terms=invoice.terms or "",
        iban=seller.get("iban") or None,
        bic=seller.get("bic") or None,
    )


def _check_can_carry(invoice: Invoice) -> None:
    if invoice.status == InvoiceStatus.DRAFT or invoice.seller_details is None:
        raise DomainError(f"{invoice} is a draft: only issued documents have an e-invoice.")
    if currency_exponent(invoice.currency) > 2:
        raise DomainError(
            f"EN 16931 carries amounts with at most 2 decimals; {invoice.currency} has "
            f"{currency_exponent(invoice.currency)}, so {invoice} has no e-invoice. Send the PDF."
        )
    seller = invoice.seller_details
    if _not_subject(invoice) and not seller.get("registration_id"):
        raise DomainError(
            f"{invoice} is not subject to VAT, so its e-invoice names your company by its legal "
            "registration id, not its VAT id (EN 16931 BR-O-02, BR-CO-26); set it on the "
            "company for the next documents."
        )
    if not _not_subject(invoice) and not seller.get("tax_id"):
        raise DomainError(
            f"{invoice} was issued without your company's VAT id, which its e-invoice needs "
            "(EN 16931 BR-CO-26); set it on the company for the next documents."
        )


def _not_subject(invoice: Invoice) -> bool:
    return any(total.category == TaxCategory.NOT_SUBJECT for total in invoice.tax_totals)


def _first_email(emails: str | None) -> str | None:
    first = (emails or "").split(",")[0].strip()
    return first or None


def _party(details: dict, vat_id: str | None, email: str | None) -> Party:
    lines = tuple(
        line.strip() for line in (details.get("address") or "").splitlines() if line.strip()
    )
    return Party(
        name=details["name"],
        registration_id=details.get("registration_id") or None,
        address_lines=lines,
        postal_code=details.get("postal_code") or "",
        city=details.get("city") or "",
        country=details["country"],
        vat_id=vat_id or None,
        email=email,
    )


def _line(line, currency: str, rows: dict) -> Line:
    tax = rows[line.tax_rate_id]
    # In the currency's minor units, like the line net it is compared with.
    gross = round_money(line.quantity * line.unit_price, currency)
    return Line(
        position=line.position,
        name=line.description,
        quantity=line.quantity.normalize(),
        unit_code=UNIT_CODES.get((line.unit or "").strip().lower(), ONE),
        net_price=line.unit_price.normalize(),
        net_amount=line.net_amount,
        discount_percent=line.discount_percent.normalize(),
        discount_amount=gross - line.net_amount if line.discount_percent else Decimal(0),
        category=tax.category,
        percentage=tax.percentage.normalize(),
    )


def _vat_rows(invoice: Invoice) -> tuple[VatRow, ...]:
    """One row per category, rate and reason: EN 16931 knows no tax-rate ids, so two rates
    alike (two "19 %" rates) are one row."""
    rows: dict[tuple, list] = {}
    for total in invoice.tax_totals:
        key = (total.category, total.percentage, total.exemption_code, total.exemption_reason)
        rows.setdefault(key, []).append(total)
    return tuple(
        VatRow(
            category=category,
            percentage=percentage.normalize(),
            taxable_amount=sum((t.taxable_amount for t in totals), Decimal(0)),
            tax_amount=sum((t.tax_amount for t in totals), Decimal(0)),
            exemption_code=code,
            exemption_reason=reason,
        )
        for (category, percentage, code, reason), totals in rows.items()
    )


def has_rate(category: str) -> bool:
    """Not subject to VAT (O) carries no rate at all (BR-O-05); every other category does."""
    return category != TaxCategory.NOT_SUBJECT


def needs_delivery_details(rows: Sequence[VatRow]) -> bool:
    """Intra-community supplies name the delivery date and country (BR-IC-11, BR-IC-12)."""
    return any(row.category == TaxCategory.INTRA_COMMUNITY for row in rows)


def amount(value: Decimal, currency: str) -> str:
    """An amount as EN 16931 writes it: the stored value, with 2 decimals (0 for JPY and the
    like), never more."""
    places = currency_exponent(currency)
    return f"{value:.{places}f}"


def plain(value: Decimal) -> str:
    """A quantity, price or rate without exponent or trailing zeros."""
    return format(value.normalize(), "f")

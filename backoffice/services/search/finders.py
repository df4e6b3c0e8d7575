"""One finder per kind of record: the few best hits, in the given companies (None: all).

Each finder reads its hits through an index (a btree range for numbers, trigram bitmap
scans for fragments), so its cost follows the number of matches (at most CANDIDATES are
ranked), not the size of a table.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from models import Customer, Invoice, InvoiceKind, Payment

from ..money import format_money
from ..scoping import in_companies, within
from .terms import Terms

LIMIT = 5
# Ranking by similarity reads every match; a fragment as common as "GmbH" or "SEPA" matches
# a large part of a table. The best hits are then chosen among the first matches found, and
# one more letter typed narrows them.
CANDIDATES = 1000


@dataclass(frozen=True)
class Hit:
    """A record found: what to show, and which record's screen opens it."""

    label: str
    detail: str
    record: str  # "invoice" or "customer"; a payment opens on its invoice
    record_id: int


def find_invoices(session: Session, company_ids: frozenset[int] | None, terms: Terms) -> list[Hit]:
    """Invoices and credit notes whose number is the text or starts with it, exact first."""
    number = func.upper(Invoice.reference)
    statement = (
        select(Invoice, Customer.name)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.reference.is_not(None), number.like(terms.number_prefix))
        # Byte order (the column's collation) puts a number before the longer ones it starts.
        .order_by(number)
        .limit(LIMIT)
    )
    rows = session.execute(within(statement, company_ids, in_companies(Invoice.company_id)))
    return [
        Hit(
            label=invoice.reference,
            detail=" · ".join(
                [
                    *(["credit note"] if invoice.kind == InvoiceKind.CREDIT_NOTE else []),
                    customer_name,
                    format_money(invoice.total_amount, invoice.currency),
                    invoice.status,
                ]
            ),
            record="invoice",
            record_id=invoice.id,
        )
        for invoice, customer_name in rows
    ]


def find_customers(session: Session, company_ids: frozenset[int] | None, terms: Terms) -> list[Hit]:
    """Customers with the text in their name, VAT id or email, closest name first."""
    fields = (Customer.name, Customer.vat_id, Customer.email)
    matches = within(
        select(Customer).where(or_(*(field.ilike(terms.fragment) for field in fields))),
        company_ids,
        in_companies(Customer.company_id),
    )
    found = aliased(Customer, matches.limit(CANDIDATES).subquery())
    # word_similarity: how well the text matches some part of the name (1: a whole word);
    # among equals, the name most like the whole text ("Atlas" before "Atlas Logistics").
    # VAT id and email hits come after name hits, by name.
    statement = (
        select(found)
        .order_by(
            func.word_similarity(terms.text, found.name).desc(),
            func.similarity(found.name, terms.text).desc(),
            found.name,
            found.id,
        )
        .limit(LIMIT)
    )
    customers = session.scalars(statement)
    return [
        Hit(
            label=customer.name,
            detail=" · ".join(
                part for part in (customer.vat_id, customer.email, customer.city) if part
            ),
            record="customer",
            record_id=customer.id,
        )
        for customer in customers
    ]


def find_payments(session: Session, company_ids: frozenset[int] | None, terms: Terms) -> list[Hit]:
    """Payments and refunds with the text in their reference, closest reference first."""
    matches = within(
        select(Payment)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.reference.ilike(terms.fragment)),
        company_ids,
        in_companies(Invoice.company_id),
    )
    found = aliased(Payment, matches.limit(CANDIDATES).subquery())
    statement = (
        select(found, Invoice.reference, Invoice.currency)
        .join(Invoice, Invoice.id == found.invoice_id)
        .order_by(
            func.similarity(found.reference, terms.text).desc(),
            found.payment_date.desc(),
            found.id.desc(),
        )
        .limit(LIMIT)
    )
    rows = session.execute(statement)
    return [
        Hit(
            label=f"{'Refund' if payment.amount < 0 else 'Payment'} {payment.reference}",
            detail=(
                f"{format_money(abs(payment.amount), currency)} on "
                f"{payment.payment_date.isoformat()} · {reference}"
            ),
            record="invoice",
            record_id=payment.invoice_id,
        )
        for payment, reference, currency in rows
    ]

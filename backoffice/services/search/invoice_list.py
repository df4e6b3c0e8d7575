"""What the invoice list's search box matches, chosen per input so an index answers it.

A full invoice number is looked for as exactly that (as typed or upper-cased). Anything
else matches numbers starting with the text, purchase-order references containing it, and
invoices of customers whose name, VAT id or email contains it (trigram indexes; the
customers first, as an array the invoices' customer index can take part in).
"""

from sqlalchemy import ColumnElement, any_, func, or_, select
from sqlalchemy.orm import Session

from models import Customer, Invoice

from ..scoping import in_companies, within
from .terms import Terms


def invoice_list_clause(
    session: Session, company_ids: frozenset[int] | None, terms: Terms
) -> ColumnElement[bool]:
    """The invoices the text finds, as a WHERE clause for the list's query."""
    number = func.upper(Invoice.reference)
    # The number column itself, not upper(): its statistics tell PostgreSQL this is one row
    # (a partial expression index has none), so it reads it through the unique index.
    exact = Invoice.reference.in_({terms.text, terms.text.upper()})
    found = select(Invoice.id).where(exact).limit(1)
    if session.scalar(within(found, company_ids, in_companies(Invoice.company_id))):
        return exact
    fields = (Customer.name, Customer.vat_id, Customer.email)
    customers = within(
        select(Customer.id).where(or_(*(field.ilike(terms.fragment) for field in fields))),
        company_ids,
        in_companies(Customer.company_id),
    )
    return or_(
        number.like(terms.number_prefix),
        Invoice.po_reference.ilike(terms.fragment),
        Invoice.customer_id == any_(func.array(customers.scalar_subquery())),
    )

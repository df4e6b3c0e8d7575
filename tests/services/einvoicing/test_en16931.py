"""Every document of a demo database, as CII and as UBL, passes the official EN 16931 rules,
and says exactly what the stored document says."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice import demo_data
from backoffice.services.einvoicing.cii import to_cii
from backoffice.services.einvoicing.content import e_invoice
from backoffice.services.einvoicing.ubl import CAC, CBC, to_ubl
from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle, tax_rates
from models import Company, Invoice, InvoiceKind, InvoiceStatus, TaxCategory, User
from tests import factories
from tests.factories import line

TODAY = date(2026, 11, 30)
DEMO_INVOICES = 80


def _rate(session, percentage, category, code=None, reason=""):
    rate = factories.make_tax_rate(
        session, percentage, category=category, exemption_code=code, exemption_reason=reason
    )
    tax_rates.check_rate(session, rate)
    return rate


def _every_category(session, company: Company, actor: User) -> list[Invoice]:
    """Documents for the categories and cases the demo does not have."""
    eu = factories.make_customer(
        session, company, name="Brasserie Test SARL", country="FR", vat_id="FR40552100794"
    )
    canary = factories.make_customer(session, company, name="Tenerife S.L.", country="ES")
    plans = [
        (eu, [("0", "Z"), ("0", "E", "VATEX-EU-132"), ("0", "K", "VATEX-EU-IC")], {}),
        (eu, [("19", "S"), ("0", "G", "VATEX-EU-G")], {"discount_percent": "12.5"}),
        (canary, [("7", "L"), ("4", "M")], {}),
        (canary, [("0", "O", "VATEX-EU-O")], {}),
        (eu, [("19", "S")], {"unit": "h"}),
    ]
    documents = []
    for customer, rates, extra in plans:
        lines = [
            line(_rate(session, *terms), "3", "33.33", description=f"Item {i}", **extra)
            for i, terms in enumerate(rates)
        ]
        invoice = factories.make_issued_invoice(session, actor, customer, lines, today=TODAY)
        documents.append(invoice)
    # A partial credit note of the first, and a full one of the second.
    note = lifecycle.create_credit_note(session, actor, documents[0])
    factories.edit_draft(session, actor, note, factories.set_quantity(0, "1"))
    documents.append(lifecycle.issue(session, actor, note, TODAY))
    documents.append(lifecycle.credit_in_full(session, actor, documents[1], TODAY))
    return documents


@pytest.fixture(scope="module")
def demo_documents(engine) -> Iterator[list[Invoice]]:
    """The demo database plus the cases it lacks, built once for the module, rolled back."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    demo_data.seed(session, today=TODAY, invoice_count=DEMO_INVOICES)
    company = session.scalar(select(Company).where(Company.name == demo_data.COMPANY_NAME))
    admin = session.scalar(select(User).where(User.email == demo_data.DEMO_USERS["admin"][0]))
    _every_category(session, company, admin)
    yield session.scalars(
        select(Invoice).where(Invoice.status != InvoiceStatus.DRAFT).order_by(Invoice.id)
    ).all()
    session.close()
    transaction.rollback()
    connection.close()


def test_the_demo_covers_every_state_category_and_currency(demo_documents):
    assert {doc.status for doc in demo_documents} >= {
        "issued",
        "sent",
        "partially_paid",
        "paid",
        "void",
    }
    assert {doc.kind for doc in demo_documents} == {"invoice", "credit_note"}
    categories = {total.category for doc in demo_documents for total in doc.tax_totals}
    assert categories == {member.value for member in TaxCategory}
    assert {doc.currency for doc in demo_documents} >= {"EUR", "USD", "GBP", "CHF", "JPY"}


def test_every_document_as_cii_passes_the_en16931_rules(demo_documents, cii_rules):
    for document in demo_documents:
        xml = to_cii(e_invoice(document))
        assert cii_rules.schema_errors(xml) == [], document.reference
        assert cii_rules.failed_asserts(xml) == [], document.reference


def test_every_document_as_ubl_passes_the_en16931_rules(demo_documents, ubl_rules):
    for document in demo_documents:
        xml = to_ubl(e_invoice(document))
        rules = ubl_rules[document.kind == InvoiceKind.CREDIT_NOTE]
        assert rules.schema_errors(xml) == [], document.reference
        assert rules.failed_asserts(xml) == [], document.reference


def _text(root, path: str) -> str:
    return root.findtext(path, namespaces={"cac": CAC, "cbc": CBC})


def test_ubl_says_exactly_what_the_stored_document_says(demo_documents):
    for document in demo_documents:
        root = etree.fromstring(to_ubl(e_invoice(document)))
        ns = {"cac": CAC, "cbc": CBC}
        assert _text(root, "cbc:ID") == document.reference
        assert _text(root, "cbc:IssueDate") == document.issue_date.isoformat()
        assert _text(root, "cbc:DocumentCurrencyCode") == document.currency
        totals = "cac:LegalMonetaryTotal/cbc:"
        assert D(_text(root, totals + "TaxExclusiveAmount")) == document.net_amount
        assert D(_text(root, totals + "TaxInclusiveAmount")) == document.total_amount
        assert D(_text(root, "cac:TaxTotal/cbc:TaxAmount")) == document.tax_amount
        seller = document.seller_details
        assert _text(root, "cac:AccountingSupplierParty//cbc:RegistrationName") == seller["name"]
        assert (
            _text(root, "cac:AccountingCustomerParty//cbc:RegistrationName")
            == document.buyer_details["name"]
        )
        rows = {
            (
                sub.findtext("cac:TaxCategory/cbc:ID", namespaces=ns),
                D(sub.findtext("cbc:TaxableAmount", namespaces=ns)),
                D(sub.findtext("cbc:TaxAmount", namespaces=ns)),
            )
            for sub in root.iterfind("cac:TaxTotal/cac:TaxSubtotal", namespaces=ns)
        }
        assert rows == {
            (t.category, t.taxable_amount, t.tax_amount) for t in document.tax_totals
        }, document.reference
        tag = "CreditNoteLine" if document.kind == InvoiceKind.CREDIT_NOTE else "InvoiceLine"
        nets = [D(n.text) for n in root.iterfind(f"cac:{tag}/cbc:LineExtensionAmount", ns)]
        assert nets == [line.net_amount for line in document.lines]


@pytest.mark.parametrize(
    ("currency", "message"),
    [("BHD", "BHD has 3, so .* has no e-invoice"), ("KWD", "at most 2 decimals")],
)
def test_a_three_decimal_currency_has_no_e_invoice(session, finance, customer, currency, message):
    customer.currency = currency
    invoice = factories.make_issued_invoice(
        session, finance, customer, exchange_rate=D("2.5"), currency=currency
    )
    with pytest.raises(DomainError, match=message):
        e_invoice(invoice)


def test_a_draft_has_no_e_invoice(session, finance, customer):
    with pytest.raises(DomainError, match="only issued documents"):
        e_invoice(factories.make_draft(session, finance, customer))

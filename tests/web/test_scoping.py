"""Company scoping through HTTP: a finance user with access to `company` only never sees, opens,
exports, changes or acts on rows of `other_company`; an admin sees both. Plus CSV formula escaping.
"""

import csv
import io
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.services.payments import ledger
from models import AuditEvent, Company, Customer, Invoice, InvoiceLine, Payment, Product
from tests import factories

from .conftest import csrf_token, snapshot


@dataclass
class Side:
    """One company's rows, each carrying a marker text that is unique to this side."""

    company: Company
    customer: Customer
    product: Product
    draft: Invoice
    issued: Invoice
    payment: Payment
    event: AuditEvent
    marker: str


def make_side(
    db: Session, admin, company: Company, vat19, marker: str, customer: Customer | None = None
) -> Side:
    customer = customer or factories.make_customer(db, company, name=f"{marker} Customer")
    product = factories.make_product(
        db, company, vat19, code=f"{marker}-P", name=f"{marker} Product"
    )
    draft = factories.make_draft(
        db, admin, customer, [factories.line(vat19)], po_reference=f"{marker}-PO"
    )
    issued = factories.make_issued_invoice(
        db, admin, customer, [factories.line(vat19)], po_reference=f"{marker}-PO2"
    )
    payment = ledger.record_payment(
        db, admin, issued, "10.00", factories.ISSUE_DAY, reference=f"{marker}-PAY"
    )
    event = AuditEvent(
        company_id=company.id, action=f"test.{marker.lower()}", detail=f"{marker} event"
    )
    db.add(event)
    db.flush()
    return Side(company, customer, product, draft, issued, payment, event, marker)


@pytest.fixture
def own(db_session, users, company, vat19) -> Side:
    side = make_side(db_session, users["admin"], company, vat19, "OWNROW")
    db_session.commit()
    return side


@pytest.fixture
def other(db_session, users, other_company, vat19, own) -> Side:
    side = make_side(db_session, users["admin"], other_company, vat19, "FOREIGNROW")
    db_session.commit()
    return side


# What each list shows of a side's rows (the customer name is the invoice list's only text).
def list_marker(side: Side, endpoint: str) -> str:
    return {
        "customer": f"{side.marker} Customer",
        "product": f"{side.marker} Product",
        "invoice": f"{side.marker} Customer",
        "payment": f"{side.marker}-PAY",
        "auditevent": f"test.{side.marker.lower()}",
        "company": side.company.name,
    }[endpoint]


LIST_ENDPOINTS = ["customer", "product", "invoice", "payment", "auditevent", "company"]
# The audit list holds every factory flush; search narrows it to the two test events.
LIST_QUERY = {"auditevent": "?search=test."}


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_finance_list_shows_only_its_company(client_as, own, other, endpoint):
    client = client_as("finance")
    page = client.get(f"/admin/{endpoint}/{LIST_QUERY.get(endpoint, '')}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert list_marker(own, endpoint) in text
    assert list_marker(other, endpoint) not in text
    assert other.marker not in text


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_admin_list_shows_both_companies(client_as, own, other, endpoint):
    text = (
        client_as("admin")
        .get(f"/admin/{endpoint}/{LIST_QUERY.get(endpoint, '')}")
        .get_data(as_text=True)
    )
    assert list_marker(own, endpoint) in text
    assert list_marker(other, endpoint) in text


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.headers.get("Location")
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_finance_export_holds_only_its_company(client_as, own, other, endpoint):
    client = client_as("finance")
    text = client.get(f"/admin/{endpoint}/export/csv/{LIST_QUERY.get(endpoint, '')}").get_data(
        as_text=True
    )
    assert list_marker(own, endpoint) in text
    assert other.marker not in text
    assert other.company.name not in text


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_admin_export_holds_both_companies(client_as, own, other, endpoint):
    text = (
        client_as("admin")
        .get(f"/admin/{endpoint}/export/csv/{LIST_QUERY.get(endpoint, '')}")
        .get_data(as_text=True)
    )
    assert list_marker(own, endpoint) in text
    assert list_marker(other, endpoint) in text


def foreign_rows(other: Side) -> dict[str, list[int]]:
    return {
        "customer": [other.customer.id],
        "product": [other.product.id],
        "invoice": [other.draft.id, other.issued.id],
        "payment": [other.payment.id],
        "auditevent": [other.event.id],
        "company": [other.company.id],
    }


DETAIL_CASES = [
    pytest.param(endpoint, view, id=f"{endpoint}-{view}")
    for endpoint in LIST_ENDPOINTS
    for view in ("details", "edit")
]


@pytest.mark.parametrize(("endpoint", "view"), DETAIL_CASES)
def test_finance_cannot_open_other_company_rows(client_as, db_session, own, other, endpoint, view):
    client = client_as("finance")
    for row_id in foreign_rows(other)[endpoint]:
        response = client.get(f"/admin/{endpoint}/{view}/?id={row_id}")
        # 404, a redirect with "Record does not exist", or 403 where the role may not edit at all.
        assert response.status_code in (302, 403, 404), (
            f"{endpoint} {view} {row_id}: {response.status_code}"
        )
        assert other.marker not in response.get_data(as_text=True)
        if response.status_code == 302:
            followed = client.get(response.headers["Location"]).get_data(as_text=True)
            assert other.marker not in followed
            assert other.company.name not in followed
    # The same screen opens the finance user's own row (the test would otherwise prove nothing).
    own_id = foreign_rows(own)[endpoint][0]
    if view == "details" or endpoint in ("customer", "product", "invoice"):
        mine = client.get(f"/admin/{endpoint}/{view}/?id={own_id}")
        assert mine.status_code == 200
        assert own.marker in mine.get_data(as_text=True) or endpoint == "company"


def write_requests(own: Side, other: Side, vat19) -> dict[str, tuple[str, dict]]:
    """Requests a finance user may send for its own rows, aimed at the other company's rows."""
    customer_form = {
        "company": str(own.company.id),
        "name": "Hijacked Ltd",
        "address": "x",
        "postal_code": "1",
        "city": "x",
        "country": "FR",
        "email": "x@example.com",
        "vat_id": "",
        "currency": "EUR",
        "payment_terms_days": "30",
        "language": "en",
    }
    product_form = {
        "company": str(own.company.id),
        "code": "HIJACK",
        "name": "Hijacked",
        "description": "",
        "unit": "hour",
        "unit_price": "1.00",
        "default_tax_rate": str(vat19.id),
        "is_active": "y",
    }
    invoice_form = {
        "customer": str(own.customer.id),
        "currency": "EUR",
        "issue_date": "",
        "due_date": "",
        "po_reference": "HIJACKED",
        "notes": "",
        "terms": "",
    }
    return {
        "edit customer": (f"/admin/customer/edit/?id={other.customer.id}", customer_form),
        "edit customer, same company": (
            f"/admin/customer/edit/?id={other.customer.id}",
            customer_form | {"company": str(other.company.id)},
        ),
        "edit product": (f"/admin/product/edit/?id={other.product.id}", product_form),
        "edit draft": (f"/admin/invoice/edit/?id={other.draft.id}", invoice_form),
        "inline edit customer": (
            "/admin/customer/ajax/update/",
            {"list_form_pk": str(other.customer.id), "name": "Hijacked"},
        ),
        "delete customer": ("/admin/customer/delete/", {"id": str(other.customer.id)}),
        "delete product": ("/admin/product/delete/", {"id": str(other.product.id)}),
        "delete draft": ("/admin/invoice/delete/", {"id": str(other.draft.id)}),
        "bulk delete draft": (
            "/admin/invoice/action/",
            {"action": "delete", "rowid": str(other.draft.id)},
        ),
        "issue": (f"/admin/invoice/issue/{other.draft.id}", {"version": str(other.draft.version)}),
        "pay": (
            f"/admin/invoice/pay/{other.issued.id}",
            {
                "version": str(other.issued.version),
                "amount": "5.00",
                "payment_date": "2026-03-05",
                "method": "cash",
            },
        ),
        "void": (
            f"/admin/invoice/void/{other.issued.id}",
            {"version": str(other.issued.version), "reason": "x"},
        ),
        "credit": (
            f"/admin/invoice/credit/{other.issued.id}",
            {"version": str(other.issued.version), "mode": "full"},
        ),
    }


WRITE_NAMES = [
    "edit customer",
    "edit customer, same company",
    "edit product",
    "edit draft",
    "inline edit customer",
    "delete customer",
    "delete product",
    "delete draft",
    "bulk delete draft",
    "issue",
    "pay",
    "void",
    "credit",
]


@pytest.mark.parametrize("name", WRITE_NAMES)
def test_finance_cannot_change_other_company_rows(client_as, db_session, own, other, vat19, name):
    client = client_as("finance")
    token = csrf_token(client, "/admin/account/")
    path, data = write_requests(own, other, vat19)[name]
    before = snapshot(db_session)

    response = client.post(path, data=data | {"csrf_token": token})

    assert response.status_code in (302, 403, 404), response.status_code
    assert snapshot(db_session) == before, f"finance changed another company's data: {name}"
    assert other.marker not in response.get_data(as_text=True)


CRAFTED_CREATES = [
    "customer for other company",
    "product for other company",
    "invoice for other customer",
    "invoice line with other product",
    "move own customer to other company",
    "move own draft to other customer",
]


@pytest.mark.parametrize("name", CRAFTED_CREATES)
def test_crafted_post_naming_other_company_is_refused(
    client_as, db_session, own, other, vat19, name
):
    client = client_as("finance")
    token = csrf_token(client, "/admin/account/")
    customer_form = {
        "company": str(other.company.id),
        "name": "Planted Customer",
        "address": "x",
        "postal_code": "1",
        "city": "x",
        "country": "FR",
        "email": "x@example.com",
        "vat_id": "",
        "currency": "EUR",
        "payment_terms_days": "30",
        "language": "en",
    }
    invoice_form = {
        "customer": str(other.customer.id),
        "currency": "EUR",
        "issue_date": "",
        "due_date": "",
        "po_reference": "PLANTED",
        "notes": "",
        "terms": "",
        "lines-0-product": "__None",
        "lines-0-description": "Consulting",
        "lines-0-quantity": "1",
        "lines-0-unit": "hour",
        "lines-0-unit_price": "1.00",
        "lines-0-discount_percent": "0",
        "lines-0-tax_rate": str(vat19.id),
    }
    path, data = {
        "customer for other company": ("/admin/customer/new/", customer_form),
        "product for other company": (
            "/admin/product/new/",
            {
                "company": str(other.company.id),
                "code": "PLANTED",
                "name": "Planted",
                "description": "",
                "unit": "hour",
                "unit_price": "1.00",
                "default_tax_rate": str(vat19.id),
                "is_active": "y",
            },
        ),
        "invoice for other customer": ("/admin/invoice/new/", invoice_form),
        "invoice line with other product": (
            "/admin/invoice/new/",
            invoice_form
            | {
                "customer": str(own.customer.id),
                "lines-0-product": str(other.product.id),
            },
        ),
        "move own customer to other company": (
            f"/admin/customer/edit/?id={own.customer.id}",
            customer_form | {"name": own.customer.name},
        ),
        "move own draft to other customer": (
            f"/admin/invoice/edit/?id={own.draft.id}",
            invoice_form | {"lines-0-id": str(own.draft.lines[0].id)},
        ),
    }[name]
    before = snapshot(db_session)

    response = client.post(path, data=data | {"csrf_token": token})

    assert response.status_code in (200, 302, 403), response.status_code
    # Nothing may point at the other company's rows.
    linked = db_session.scalar(
        select(func.count())
        .select_from(InvoiceLine)
        .where(InvoiceLine.product_id == other.product.id)
    )
    assert linked == 0, "an invoice line now uses the other company's product"
    assert (
        db_session.scalar(select(func.count()).where(Invoice.customer_id == other.customer.id)) == 2
    )
    if name == "invoice line with other product":
        # Flask-Admin turns an unknown choice of an optional relation into "none" rather than
        # an error, so the draft may be saved, for the user's own customer and without product.
        assert (
            db_session.scalar(
                select(func.count()).where(
                    Invoice.po_reference == "PLANTED", Invoice.company_id != own.company.id
                )
            )
            == 0
        )
    else:
        assert snapshot(db_session) == before, f"finance wrote into another company: {name}"
    assert (
        db_session.scalar(select(func.count()).where(Customer.company_id == other.company.id)) == 1
    )
    assert other.marker not in response.get_data(as_text=True)


def test_control_finance_creates_a_customer_for_its_own_company(client_as, db_session, own):
    """The crafted create above differs from this allowed one only in the company id."""
    client = client_as("finance")
    token = csrf_token(client, "/admin/account/")
    form = {
        "company": str(own.company.id),
        "name": "Planted Customer",
        "address": "x",
        "postal_code": "1",
        "city": "x",
        "country": "FR",
        "email": "x@example.com",
        "vat_id": "",
        "currency": "EUR",
        "payment_terms_days": "30",
        "language": "en",
        "csrf_token": token,
    }
    assert client.post("/admin/customer/new/", data=form).status_code == 302
    created = db_session.scalars(select(Customer).where(Customer.name == "Planted Customer")).one()
    assert created.company_id == own.company.id


@pytest.mark.parametrize(
    ("path", "hidden"),
    [
        ("/admin/customer/new/", "company"),
        ("/admin/product/new/", "company"),
    ],
)
def test_relation_choices_offer_only_own_company(client_as, own, other, path, hidden):
    text = client_as("finance").get(path).get_data(as_text=True)
    assert other.company.name not in text
    assert other.marker not in text
    assert own.company.name in text


def test_invoice_customer_picker_finds_only_own_company(client_as, own, other):
    client = client_as("finance")
    text = client.get("/admin/invoice/new/").get_data(as_text=True)
    assert other.marker not in text
    # Looked up as the user types, by name, VAT id or email.
    lookup = "/admin/invoice/ajax/lookup/?name=customer&query=Customer"
    found = " ".join(name for _, name in client.get(lookup).get_json())
    assert own.customer.name in found
    assert other.customer.name not in found


def test_invoice_customer_of_another_company_posted_by_hand_is_refused(
    client_as, own, other, db_session
):
    client = client_as("finance")
    token = csrf_token(client, "/admin/invoice/new/")
    form = {"customer": str(other.customer.id), "csrf_token": token}
    response = client.post("/admin/invoice/new/", data=form)
    assert response.status_code == 200  # the form again, with the error
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert other.customer.name not in response.get_data(as_text=True)


def test_invoice_line_product_choices_offer_only_own_company(client_as, own, other):
    client = client_as("finance")
    text = client.get(f"/admin/invoice/edit/?id={own.draft.id}").get_data(as_text=True)
    assert f"{other.marker} Product" not in text
    # The line's picker looks products up as the user types.
    lookup = "/admin/invoice/ajax/lookup/?name=invoiceline-product&query=Product"
    found = " ".join(name for _, name in client.get(lookup).get_json())
    assert f"{own.marker} Product" in found
    assert f"{other.marker} Product" not in found


def test_dashboard_shows_only_own_company(client_as, own, other):
    """Each side has a partly paid, overdue invoice: finance sees its own customer only, and
    asking for the other company's dashboard is refused."""
    finance = client_as("finance")
    page = finance.get("/admin/").get_data(as_text=True)
    assert "OWNROW Customer" in page
    assert "FOREIGNROW Customer" not in page and other.company.name not in page
    assert finance.get(f"/admin/?company={other.company.id}").status_code == 403
    admin = client_as("admin").get(f"/admin/?company={other.company.id}").get_data(as_text=True)
    assert "FOREIGNROW Customer" in admin and "OWNROW Customer" not in admin
    assert own.company.name in admin  # in the company picker


# --- CSV formula escaping -------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_customer_export_escapes_formulas(client_as, db_session, company, formula):
    factories.make_customer(db_session, company, name=formula)
    db_session.commit()
    rows = read_csv(client_as("finance").get("/admin/customer/export/csv/"))
    header, *data = rows
    names = [row[header.index("Name")] for row in data]
    assert "'" + formula in names
    assert formula not in names


def test_customer_formula_exports_as_quoted_text(client_as, db_session, company):
    factories.make_customer(db_session, company, name='=HYPERLINK("http://x")')
    db_session.commit()
    text = client_as("finance").get("/admin/customer/export/csv/").get_data(as_text=True)
    assert '"\'=HYPERLINK(""http://x"")"' in text


FORMULA_CELL = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("endpoint", ["invoice", "product", "customer"])
def test_related_names_are_escaped_in_every_export(
    client_as, db_session, users, company, vat19, endpoint
):
    """A customer or company name that reaches another screen's export as a relation column
    (invoice -> customer, product/customer -> company) must be escaped too."""
    db_session.get(Company, company.id).name = '=HYPERLINK("http://evil.example")'
    customer = factories.make_customer(db_session, company, name='=HYPERLINK("http://x")')
    factories.make_product(db_session, company, vat19)
    factories.make_draft(db_session, users["admin"], customer, [factories.line(vat19)])
    db_session.commit()

    rows = read_csv(client_as("finance").get(f"/admin/{endpoint}/export/csv/"))
    header, *data = rows
    assert data
    dangerous = [
        (header[i], cell)
        for row in data
        for i, cell in enumerate(row)
        if cell.startswith(FORMULA_CELL) and not _is_number(cell)
    ]
    assert not dangerous, f"unescaped formulas in the {endpoint} export: {dangerous}"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True

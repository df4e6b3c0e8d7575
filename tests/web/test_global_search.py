"""The global search over HTTP: the box on every screen, its JSON endpoint, scope and bad input."""

import pytest
from flask import url_for
from flask_admin.contrib.sqla import ModelView

from backoffice.services.payments import ledger
from tests import factories


@pytest.fixture
def records(db_session, users, company, other_company, customer, vat19):
    """An issued invoice paid with reference ZEBRA-PAY in each company; the other's customer
    shares the marker so only scoping tells them apart."""
    made = {}
    for side, owner in (("own", customer), ("other", None)):
        owner = owner or factories.make_customer(
            db_session, other_company, name="Zebra Fremd GmbH", vat_id="ATU99999999"
        )
        invoice = factories.make_issued_invoice(
            db_session, users["admin"], owner, [factories.line(vat19)]
        )
        ledger.record_payment(
            db_session, users["admin"], invoice, "1.00", factories.ISSUE_DAY, reference="ZEBRA-PAY"
        )
        made[side] = invoice
    db_session.commit()
    return made


def _hits(client, text: str) -> dict[str, list[dict]]:
    response = client.get("/admin/search/", query_string={"q": text})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return {group["title"]: group["hits"] for group in response.get_json()["groups"]}


def test_enter_on_a_number_reaches_the_invoice_page(client_as, records):
    client = client_as("support")

    hits = _hits(client, records["own"].reference.lower())

    [hit] = hits["Invoices"]
    assert hit["url"] == f"/admin/invoice/details/?id={records['own'].id}"
    page = client.get(hit["url"])
    assert page.status_code == 200
    assert records["own"].reference in page.get_data(as_text=True)


def test_finds_customers_and_payments_of_the_users_companies_only(client_as, records):
    client = client_as("finance")

    assert [hit["label"] for hit in _hits(client, "müller")["Customers"]] == ["Müller & Söhne AG"]
    payments = _hits(client, "zebra-pay")["Payments"]
    assert [hit["url"] for hit in payments] == [f"/admin/invoice/details/?id={records['own'].id}"]
    assert _hits(client, "Zebra Fremd") == {}
    assert _hits(client, "ATU9999") == {}


def test_an_admin_finds_every_companys_records(client_as, records):
    assert len(_hits(client_as("admin"), "ZEBRA-PAY")["Payments"]) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", ""),
        ("a", "Type at least 3 characters."),
        ("x" * 5000, "Type at most 100 characters."),
        ("%_%", "Nothing matches “%_%”."),
        ("'; DROP TABLE invoices; --", "Nothing matches “'; DROP TABLE invoices; --”."),
    ],
)
def test_bad_input_gets_a_message(client_as, records, text, message):
    response = client_as("finance").get("/admin/search/", query_string={"q": text})

    assert response.status_code == 200
    assert response.get_json() == {"groups": [], "message": message}


def test_a_nul_byte_is_refused_before_the_database(client_as):
    response = client_as("finance").get("/admin/search/?q=abc%00def")

    assert response.status_code == 404


def test_anonymous_gets_401_not_a_login_page(app):
    assert app.test_client().get("/admin/search/?q=INV").status_code == 401


def _screens(app, invoice_id: int) -> list[str]:
    with app.test_request_context():
        admin = app.extensions["admin"][0]
        lists = [
            url_for(f"{view.endpoint}.{'index_view' if isinstance(view, ModelView) else 'index'}")
            for view in admin._views
        ]
        return [*lists, url_for("invoice.details_view", id=invoice_id)]


def test_every_screen_has_the_search_box_and_its_script(app, client_as, records):
    client = client_as("admin")
    screens = _screens(app, records["own"].id)
    assert "/admin/search/" in screens and len(screens) > 10

    for path in screens:
        page = client.get(path).get_data(as_text=True)
        if path == "/admin/search/":
            continue  # the endpoint itself answers JSON
        assert 'id="global-search"' in page, path
        assert 'data-endpoint="/admin/search/"' in page, path
        assert "/admin/search/static/global_search.js" in page, path


def test_the_script_is_served_with_the_security_headers(app, client_as):
    response = client_as("finance").get("/admin/search/static/global_search.js")

    assert response.status_code == 200
    assert "javascript" in response.mimetype
    assert "Content-Security-Policy" in response.headers
    response.close()

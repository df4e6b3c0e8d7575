"""The invoice list's search: by number (exact or prefix), purchase order, or the customer's
name, VAT id or email; only within the user's companies."""

import pytest

from tests import factories

from .conftest import messages


@pytest.fixture
def invoices(db_session, company, other_company, customer, users, vat19):
    finance = users["finance"]
    customer.vat_id = "FR40303265045"
    customer.email = "compta@muller-soehne.example"
    mine = [
        factories.make_issued_invoice(db_session, finance, customer, po_reference=f"PO-77{n}")
        for n in range(2)
    ]
    stranger = factories.make_customer(db_session, other_company, name="Müller Fremdfirma")
    admin = users["admin"]
    factories.make_issued_invoice(db_session, admin, stranger)
    db_session.commit()
    return mine


def listed(client, search: str) -> str:
    return client.get("/admin/invoice/", query_string={"search": search}).get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("INV-2026-000001", [0]),  # the exact number: that invoice only
        ("inv-2026-00000", [0, 1]),  # a prefix, in any case
        ("PO-771", [1]),  # a purchase order
        ("ller & S", [0, 1]),  # part of the customer's name
        ("303265", [0, 1]),  # part of the VAT id
        ("muller-soehne", [0, 1]),  # part of the email
    ],
)
def test_the_search_finds_invoices_by_each_field(client_as, invoices, text, found):
    page = listed(client_as("finance"), text)
    assert f"List ({len(found)})" in page
    for n in found:
        assert invoices[n].reference in page


def test_the_search_stays_within_the_users_companies(client_as, invoices):
    page = listed(client_as("finance"), "Müller")
    assert "Fremdfirma" not in page
    assert "List (2)" in page


def test_too_short_a_search_says_so_and_finds_nothing(client_as, invoices):
    page = listed(client_as("finance"), "IN")
    assert "Search: Type at least 3 characters." in messages(page)
    assert invoices[0].reference not in page


def test_the_search_box_says_what_it_searches(client_as):
    page = client_as("finance").get("/admin/invoice/").get_data(as_text=True)
    assert 'placeholder="Number, PO, customer name, VAT id or email"' in page

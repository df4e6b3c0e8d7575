"""Global search rules: what each kind of text finds, in which companies, and bad input."""

import pytest

from backoffice.services.payments import ledger
from backoffice.services.search.global_search import search
from backoffice.services.search.terms import escape_like
from tests import factories
from tests.factories import ISSUE_DAY


def _labels(results, title: str) -> list[str]:
    return [hit.label for group in results.groups if group.title == title for hit in group.hits]


def _only(company) -> frozenset[int]:
    return frozenset({company.id})


@pytest.fixture
def issued_pair(session, finance, customer):
    """Two issued invoices of the company: INV-2026-000001 and INV-2026-000002."""
    return [factories.make_issued_invoice(session, finance, customer) for _ in range(2)]


def test_finds_an_invoice_by_its_exact_number_first(session, company, issued_pair):
    results = search(session, _only(company), "INV-2026-000001")

    assert _labels(results, "Invoices") == ["INV-2026-000001"]
    hit = results.groups[0].hits[0]
    assert (hit.record, hit.record_id) == ("invoice", issued_pair[0].id)


def test_finds_invoices_by_a_number_prefix_in_any_case_in_number_order(
    session, company, issued_pair
):
    results = search(session, _only(company), " inv-2026-00000 ")

    assert _labels(results, "Invoices") == ["INV-2026-000001", "INV-2026-000002"]


def test_finds_a_customer_by_a_fragment_in_the_middle_of_the_name(session, company):
    factories.make_customer(session, company, name="Nordwind Handels GmbH")

    results = search(session, _only(company), "dwind HAN")

    assert _labels(results, "Customers") == ["Nordwind Handels GmbH"]


def test_finds_a_customer_by_vat_id_and_by_email(session, company):
    factories.make_customer(
        session, company, name="Kontor Blau", vat_id="DE811907980", email="ap@kontor-blau.example"
    )

    assert _labels(search(session, _only(company), "811907"), "Customers") == ["Kontor Blau"]
    assert _labels(search(session, _only(company), "ap@kontor"), "Customers") == ["Kontor Blau"]


def test_ranks_the_closest_customer_first(session, company):
    for name in ("Atlas Logistics", "Atlantic Atlas Trading", "Atlas"):
        factories.make_customer(session, company, name=name)

    assert _labels(search(session, _only(company), "atlas"), "Customers")[0] == "Atlas"


def test_finds_a_payment_by_reference_and_opens_its_invoice(session, company, finance, issued):
    ledger.record_payment(session, finance, issued, "10.00", ISSUE_DAY, reference="SEPA-7781-XK")

    results = search(session, _only(company), "7781-x")

    assert _labels(results, "Payments") == ["Payment SEPA-7781-XK"]
    hit = results.groups[0].hits[0]
    assert (hit.record, hit.record_id) == ("invoice", issued.id)


def test_never_finds_another_companys_records(session, company, finance, customer):
    other = factories.make_company(session)
    stranger = factories.make_customer(
        session, other, name="Nordwind Fremd", vat_id="DE811907980", email="ap@nordwind.example"
    )
    outsider = factories.make_user(session, companies=[other])
    invoice = factories.make_issued_invoice(session, outsider, stranger)
    ledger.record_payment(session, outsider, invoice, "1.00", ISSUE_DAY, reference="NORDWIND-1")

    for text in ("INV-2026-000001", "Nordwind", "811907", "ap@nordwind", "NORDWIND-1"):
        assert search(session, _only(company), text).groups == [], text
        assert search(session, frozenset(), text).groups == [], text
    # The same records are there for someone who may see them (None: an admin, every company).
    assert _labels(search(session, _only(other), "Nordwind"), "Customers") == ["Nordwind Fremd"]
    assert _labels(search(session, None, "NORDWIND-1"), "Payments") == ["Payment NORDWIND-1"]


@pytest.mark.parametrize(
    ("text", "found"),
    [("100%", ["100% Bio"]), ("a_bc", ["a_bc Werke"]), ("x\\y", ["x\\y Labor"])],
)
def test_wildcards_in_the_text_match_only_themselves(session, company, text, found):
    for name in ("100% Bio", "1000 Bio", "a_bc Werke", "aXbc Werke", "x\\y Labor", "xy Labor"):
        factories.make_customer(session, company, name=name)

    assert _labels(search(session, _only(company), text), "Customers") == found


def test_escape_like_escapes_wildcards_and_the_escape_character():
    assert escape_like("50%_off\\") == "50\\%\\_off\\\\"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", ""),
        ("   ", ""),
        ("a", "Type at least 3 characters."),
        ("ab", "Type at least 3 characters."),
        ("x" * 101, "Type at most 100 characters."),
        ("abc\x00def", "Search for letters, digits and punctuation only."),
        ("%%%", "Nothing matches “%%%”."),
        ("___", "Nothing matches “___”."),
    ],
)
def test_bad_input_gets_a_message_and_no_hits(session, company, customer, text, message):
    results = search(session, _only(company), text)

    assert results.groups == []
    assert results.message == message

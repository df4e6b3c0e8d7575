"""Lists past ten thousand rows: a capped count, the exact count on demand, bounded offsets,
then paging on by keyset."""

import re

import pytest
from sqlalchemy import text

from backoffice.admin.lists import COUNT_CAP
from tests import factories

from .conftest import messages

MANY = COUNT_CAP + 50


@pytest.fixture
def many_customers(db_session, company):
    db_session.execute(
        text(
            "INSERT INTO customers (company_id, name, address, city, postal_code, country, "
            "email, currency, payment_terms_days, language, einvoice_format, created_at, "
            "updated_at) SELECT :company, 'Bulk ' || lpad(n::text, 6, '0'), '', '', '', 'FR', "
            "'', 'EUR', 30, 'en', 'none', now(), now() FROM generate_series(1, :n) AS n"
        ),
        {"company": company.id, "n": MANY},
    )
    db_session.commit()


def test_a_long_list_says_10000_plus_and_counts_exactly_on_demand(client_as, many_customers):
    client = client_as("finance")
    page = client.get("/admin/customer/").get_data(as_text=True)
    assert "List (10,000+)" in page
    assert "exact count" in page
    exact = client.get("/admin/customer/?exact_count=1").get_data(as_text=True)
    assert f"List ({MANY})" in exact


def test_a_short_list_shows_its_exact_count(client_as, customer):
    page = client_as("finance").get("/admin/customer/").get_data(as_text=True)
    assert "List (1)" in page
    assert "exact count" not in page


def test_pages_past_the_cap_point_to_next_rows_and_show_the_last_page_instead(
    client_as, many_customers
):
    client = client_as("finance")
    last = client.get("/admin/customer/?sort=0&page=399").get_data(as_text=True)
    deep = client.get("/admin/customer/?sort=0&page=5000").get_data(as_text=True)
    assert "Pages are numbered for the first 10,000 rows: use Next rows" in messages(deep)
    assert "Bulk 009976" in last and "Bulk 009976" in deep  # page 400 of 25 rows


def test_search_and_filters_still_count_what_they_match(client_as, many_customers):
    fragment = "00999"
    matching = sum(fragment in f"{n:06d}" for n in range(1, MANY + 1))
    page = client_as("finance").get(f"/admin/customer/?search={fragment}").get_data(as_text=True)
    assert f"List ({matching})" in page


def test_rows_tied_on_the_sort_column_are_paged_exactly_once(client_as, many_customers):
    """Every bulk customer shares its country: only the tie-break keeps pages apart."""
    client = client_as("finance")
    seen: list[str] = []
    for page in range(5):
        html = client.get(f"/admin/customer/?sort=1&page_size=100&page={page}").get_data(
            as_text=True
        )
        seen += re.findall(r"Bulk \d{6}", html)
    assert len(seen) == len(set(seen)) == 500


def _names(html: str) -> list[str]:
    return re.findall(r"Bulk \d{6}[a-z]?", html)


def _next_rows(html: str) -> str | None:
    found = re.search(r'href="([^"]+)">Next rows', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_next_rows_go_past_the_cap_each_row_once_while_rows_are_added(
    client_as, many_customers, db_session, company
):
    client = client_as("finance")
    html = client.get("/admin/customer/?sort=0&page=399").get_data(as_text=True)
    seen = _names(html)
    assert seen[0] == "Bulk 009976" and seen[-1] == "Bulk 010000"
    url = _next_rows(html)
    assert url is not None and "page=" not in url
    html = client.get(url).get_data(as_text=True)
    seen += _names(html)
    # Others add customers meanwhile, before the page reached (which OFFSET would repeat
    # a row for) and after it.
    for name in ("Bulk 000100a", "Bulk 000200a", "Bulk 010030a"):
        factories.make_customer(db_session, company, name=name)
    db_session.commit()
    while (url := _next_rows(html)) is not None:
        html = client.get(url).get_data(as_text=True)
        assert "First page" in html, url
        seen += _names(html)
    expected = [f"Bulk {n:06d}" for n in range(9976, MANY + 1)] + ["Bulk 010030a"]
    assert sorted(seen) == sorted(expected)


def test_a_damaged_next_rows_link_says_so_and_shows_the_first_page(client_as, many_customers):
    html = (
        client_as("finance")
        .get("/admin/customer/?sort=0&after=not-a-cursor")
        .get_data(as_text=True)
    )
    assert "That page link is out of date or damaged" in messages(html)
    assert _names(html)[0] == "Bulk 000001"

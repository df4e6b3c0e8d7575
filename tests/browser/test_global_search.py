"""The top bar's search in a real browser: from any screen, type a number and press Enter."""

from sqlalchemy.orm import Session

from models import Role
from tests import factories

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def test_typing_a_number_and_enter_opens_the_invoice(committed_engine, live_server, page):
    with Session(committed_engine) as session:
        company = factories.make_company(session)
        clerk = factories.make_user(session, Role.FINANCE, companies=[company])
        customer = factories.make_customer(session, company, name="Nordwind Handels GmbH")
        invoices = [factories.make_issued_invoice(session, clerk, customer) for _ in range(3)]
        session.commit()
        wanted = invoices[1]
        email, wanted_id, number = clerk.email, wanted.id, wanted.reference

    sign_in(page, live_server, email)
    page.goto(live_server + "/admin/payment/")  # any screen: the box has the focus already

    page.keyboard.type(number.lower())
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/admin/invoice/details/?id={wanted_id}")
    assert number in page.inner_text("h3")


def test_arrow_keys_pick_a_hit_and_escape_closes_the_list(committed_engine, live_server, page):
    with Session(committed_engine) as session:
        company = factories.make_company(session)
        clerk = factories.make_user(session, Role.FINANCE, companies=[company])
        for name in ("Nordwind Handels GmbH", "Nordwind Logistik AG"):
            factories.make_customer(session, company, name=name)
        session.commit()
        email = clerk.email

    sign_in(page, live_server, email)
    box = page.locator("#global-search input")
    box.type("nordwind")
    page.wait_for_selector("#global-search-hits.show a.dropdown-item >> nth=1")
    assert page.inner_text("#global-search-hits .dropdown-header") == "Customers"

    box.press("Escape")
    assert not page.is_visible("#global-search-hits")
    assert box.input_value() == "nordwind"
    box.press("ArrowDown")  # opens the list again
    page.wait_for_selector("#global-search-hits.show")
    box.press("ArrowUp")  # from nothing highlighted: the last hit
    box.press("ArrowDown")  # wraps to the first
    box.press("ArrowDown")
    second = page.inner_text("#global-search-hits a.active span")
    assert second == page.inner_text("#global-search-hits a.dropdown-item >> nth=1 >> span")
    box.press("Enter")

    page.wait_for_url("**/admin/customer/details/?id=*")
    assert second in page.inner_text("body")

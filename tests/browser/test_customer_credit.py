"""Overpaid, credit applied, a payment reversed: what a finance clerk sees in a real browser.

Screenshots land in build/screenshots/ (test artifacts, not committed).
"""

from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from backoffice.services.payments import customer_credit
from models import Invoice, Role
from tests import factories
from tests.factories import line

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _confirmed_click(page, selector: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(selector)


def test_overpayment_becomes_credit_that_pays_the_next_invoice(committed_engine, live_server, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        rate = factories.make_tax_rate(session, "19", name="Standard")
        clerk = factories.make_user(
            session, Role.FINANCE, companies=[company], email="clerk@example.com"
        )
        customer = factories.make_customer(session, company, name="Fjord Fisk AS")
        first = factories.make_issued_invoice(session, clerk, customer, [line(rate, "1")])
        second = factories.make_issued_invoice(session, clerk, customer, [line(rate, "2")])
        session.commit()
        ids = (first.id, second.id, customer.id)

    sign_in(page, live_server, "clerk@example.com")
    page.goto(f"{live_server}/admin/invoice/details/?id={ids[0]}")
    page.fill("input[name=amount]", "150.00")
    page.fill("input[name=reference]", "Bank 2026-03-05")
    _confirmed_click(page, "button:has-text('Record payment')")
    page.wait_for_selector("text=keep the excess (€31.00) as customer credit")
    page.fill("input[name=amount]", "150.00")  # the refused page offers the balance again
    page.check("#excess-to-credit")
    _confirmed_click(page, "button:has-text('Record payment')")
    page.wait_for_selector("text=Recorded 150.00")
    page.screenshot(path=str(SCREENSHOTS / "credit-1-overpaid-invoice.png"), full_page=True)

    page.goto(f"{live_server}/admin/invoice/details/?id={ids[1]}")
    notice = page.locator("#customer-credit-notice")
    assert "€31.00 of customer credit" in notice.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "credit-2-notice-on-open-invoice.png"), full_page=True)
    _confirmed_click(page, "#customer-credit-notice button")
    page.wait_for_selector("text=Applied 31.00 of customer credit")
    assert page.locator("#customer-credit-notice").count() == 0

    page.fill("#payments input[name=reason]", "Applied to the wrong invoice")
    _confirmed_click(page, "#payments button:has-text('Reverse')")
    page.wait_for_selector("text=Reversed 31.00")
    page.screenshot(path=str(SCREENSHOTS / "credit-3-reversed-application.png"), full_page=True)

    page.goto(f"{live_server}/admin/customer/details/?id={ids[2]}")
    page.wait_for_selector("#customer-credit")
    page.screenshot(path=str(SCREENSHOTS / "credit-4-customer-page.png"), full_page=True)

    page.goto(f"{live_server}/admin/payment/")
    listed = page.inner_text("table.model-list")
    assert "€150.00" in listed and "reversed" in listed and "Applied to the wrong invoice" in listed
    page.screenshot(path=str(SCREENSHOTS / "credit-5-payment-list.png"), full_page=True)
    page.goto(f"{live_server}/admin/customercredit/")
    assert "overpayment" in page.inner_text("table.model-list")
    page.screenshot(path=str(SCREENSHOTS / "credit-6-credit-ledger.png"), full_page=True)

    with Session(committed_engine) as session:
        second = session.get(Invoice, ids[1])
        assert (second.status, second.balance_amount) == ("issued", Decimal("238.00"))
        assert customer_credit.balances(session, ids[2]) == {"EUR": Decimal("31.00")}

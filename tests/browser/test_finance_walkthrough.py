"""A finance clerk's morning in a real browser: sign in, add a customer, draft, issue, get paid.

Runs against headless Chromium (Debian's `chromium` package); skipped where it is not installed.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Invoice, Role
from tests import factories

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS


def choose(page, field_id: str, text: str) -> None:
    """Pick an option in a Flask-Admin select2 box by typing, as a person does."""
    page.click(f"#s2id_{field_id} .select2-choice")
    page.keyboard.type(text)
    page.wait_for_selector(".select2-drop-active .select2-result-selectable")
    page.keyboard.press("Enter")


def test_finance_user_creates_issues_and_records_a_payment(committed_engine, live_server, page):
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        factories.make_tax_rate(session, "19", name="Standard")
        factories.make_user(session, Role.FINANCE, companies=[company], email="clerk@example.com")
        session.commit()

    sign_in(page, live_server, "clerk@example.com")

    page.goto(live_server + "/admin/customer/new/")
    choose(page, "company", "Nordlicht")
    page.fill("#name", "Ελληνικά Τρόφιμα Α.Ε.")
    page.fill("#country", "gr")
    page.fill("#currency", "eur")
    page.fill("#vat_id", "EL094259216")
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector("text=Record was successfully created.")

    page.goto(live_server + "/admin/invoice/new/")
    choose(page, "customer", "Ελληνικά")
    page.click("text=Add Line")
    page.fill("#lines-0-description", "Consulting")
    page.fill("#lines-0-quantity", "3")
    page.fill("#lines-0-unit_price", "120.00")
    choose(page, "lines-0-tax_rate", "Standard")
    page.click("input[type=submit][value='Save and Continue Editing']")
    page.wait_for_selector("text=€428.40")  # 360.00 net + 68.40 VAT

    page.click("a.nav-link:has-text('Details')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Issue')")
    page.wait_for_selector("text=Issued INV-")
    number = page.inner_text("h3")
    assert number.endswith("-000001")

    page.fill("input[name=amount]", "428.40")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Record payment')")
    page.wait_for_selector("text=Recorded 428.40")
    assert "paid" in page.inner_text(".badge")

    with Session(committed_engine) as session:
        invoice = session.scalars(select(Invoice)).one()
        assert (invoice.status, str(invoice.total_amount), invoice.balance_amount) == (
            "paid",
            "428.400",
            0,
        )

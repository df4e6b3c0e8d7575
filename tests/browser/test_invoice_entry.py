"""A clerk enters, issues and sends a 3-line invoice in a real browser, every interaction
counted: a click, a choice in a picker and a typed field each count one. Moving between fields
with Tab is not counted (the test presses it, up to the next product picker)."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.services.invoicing import lifecycle
from models import EmailMessage, Invoice, Role
from tests import factories

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
BUDGET = 14


class Clerk:
    """Drives the page as a person does and counts what they do."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0
        self.log: list[str] = []

    def _counted(self, what: str) -> None:
        self.count += 1
        self.log.append(what)

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self._counted(f"click {selector}")

    def fill(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self._counted(f"type {text!r} into {selector}")

    def type_here(self, text: str) -> None:
        """Type into the field that has the focus (a picker opens on the first key)."""
        self.page.keyboard.type(text)
        self._counted(f"type {text!r}")

    def pick_first_hit(self) -> None:
        """Choose the highlighted hit of an open picker."""
        self.page.wait_for_selector(".select2-drop-active .select2-result-selectable")
        self.page.keyboard.press("Enter")
        self._counted("choose a hit")

    def tab_to(self, selector: str) -> None:
        """Press Tab until the field has the focus; logged, not counted."""
        for presses in range(12):
            if self.page.locator(f"{selector}:focus").count():
                self.log.append(f"({presses} x Tab, not counted)")
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {selector}")

    def accept_next_dialog(self) -> None:
        self.page.once("dialog", lambda dialog: dialog.accept())
        self._counted("confirm")


def test_a_clerk_creates_issues_and_sends_a_three_line_invoice_in_14_interactions(
    committed_engine, live_server, page
):
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        standard = factories.make_tax_rate(session, "19", name="Standard")
        reduced = factories.make_tax_rate(session, "7", name="Reduced")
        factories.make_customer(session, company, name="Müller & Söhne AG", payment_terms_days=14)
        for code, name, price, rate in (
            ("CONS", "Consulting hour", "120.00", standard),
            ("BOOK", "Handbook", "39.90", reduced),
            ("SUPP", "Support plan", "250.00", standard),
        ):
            factories.make_product(
                session, company, rate, code=code, name=name, unit_price=Decimal(price)
            )
        factories.make_user(session, Role.FINANCE, companies=[company], email="clerk@example.com")
        session.commit()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, "clerk@example.com")
    page.goto(live_server + "/admin/invoice/")
    clerk = Clerk(page)

    clerk.click("a.nav-link:has-text('Create')")
    page.wait_for_selector("#s2id_customer.select2-container-active")  # the picker has focus
    page.screenshot(path=str(SCREENSHOTS / "invoice_entry_new.png"), full_page=True)
    clerk.type_here("Müller")
    clerk.pick_first_hit()
    expect(page.locator("#currency")).to_have_value("EUR")  # filled in from the customer
    for line, (product, quantity) in enumerate((("CONS", "3"), ("BOOK", "2"), ("SUPP", "1"))):
        # The first line's picker has the focus once the customer is chosen.
        clerk.tab_to(f"#s2id_lines-{line}-product .select2-focusser")
        clerk.type_here(product)
        clerk.pick_first_hit()
        # The product filled its line and the cursor waits on the quantity.
        expect(page.locator(f"#lines-{line}-quantity")).to_be_focused()
        clerk.fill(f"#lines-{line}-quantity", quantity)
        if line == 1:
            page.wait_for_selector("#live-total:has-text('€513.79')")
            page.screenshot(path=str(SCREENSHOTS / "invoice_entry_mid_entry.png"), full_page=True)
    # 360.00 + 250.00 at 19 % (115.90) and 79.80 at 7 % (5.59): 811.29
    page.wait_for_selector("#live-total:has-text('€811.29')")
    assert "€115.90" in page.inner_text("#live-breakdown")
    assert "€5.59" in page.inner_text("#live-breakdown")
    page.screenshot(path=str(SCREENSHOTS / "invoice_entry_filled.png"), full_page=True)

    clerk.accept_next_dialog()
    clerk.click("button:has-text('Issue & send')")
    page.wait_for_selector("text=goes out as soon as its PDF is ready")
    page.screenshot(path=str(SCREENSHOTS / "invoice_entry_issued.png"), full_page=True)

    print(f"{clerk.count} interactions:", *clerk.log, sep="\n  ")  # shown with pytest -s
    assert clerk.count <= BUDGET, "\n".join(clerk.log)
    with Session(committed_engine) as session:
        invoice = session.scalars(select(Invoice)).one()
        assert invoice.status == "issued" and invoice.reference.endswith("-000001")
        assert invoice.total_amount == Decimal("811.29")
        assert [line.description for line in invoice.lines] == [
            "Consulting hour",
            "Handbook",
            "Support plan",
        ]
        assert (invoice.due_date - invoice.issue_date).days == 14
        email = session.scalars(select(EmailMessage)).one()
        assert (email.invoice_id, email.status) == (invoice.id, "queued")


def test_a_foreign_currency_draft_offers_issue_only_once_its_rate_is_set(
    committed_engine, live_server, page
):
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        rate = factories.make_tax_rate(session, "19", name="Standard")
        clerk = factories.make_user(
            session, Role.FINANCE, companies=[company], email="clerk@example.com"
        )
        acme = factories.make_customer(session, company, name="Acme Inc.", currency="USD")
        earlier = factories.make_issued_invoice(
            session, clerk, acme, [factories.line(rate)], exchange_rate=Decimal("0.9215")
        )
        draft = factories.make_draft(session, clerk, acme, [factories.line(rate, "2", "80.00")])
        session.commit()
        reference, draft_id = earlier.reference, draft.id
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, "clerk@example.com")
    page.goto(f"{live_server}/admin/invoice/edit/?id={draft_id}")

    help_text = page.locator("#exchange_rate ~ .form-text")
    expect(help_text).to_contain_text(
        f"Suggested 0.9215: the rate of {reference}, issued 2026-03-02"
    )
    expect(page.locator("button[value=issue]")).to_be_disabled()
    expect(page.locator("#issue-blocker")).to_contain_text("Set the exchange rate from USD to EUR")
    expect(page.locator("#live-total")).to_have_text("$190.40")
    # Saved without a due date: the customer's terms fill it in (30 days).
    expect(page.locator("#due_date")).to_have_value((date.today() + timedelta(30)).isoformat())
    page.screenshot(path=str(SCREENSHOTS / "invoice_entry_foreign_currency.png"), full_page=True)

    page.click("text=Use 0.9215")
    expect(page.locator("#exchange_rate")).to_have_value("0.9215")
    expect(page.locator("button[value=issue]")).to_be_enabled()
    expect(page.locator("#issue-blocker")).to_be_hidden()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=issue]")
    page.wait_for_selector("text=Issued INV-")
    with Session(committed_engine) as session:
        issued = session.get(Invoice, draft_id)
        assert (issued.status, issued.exchange_rate) == ("issued", Decimal("0.9215"))


def test_a_credit_note_draft_shows_its_figures_and_gets_no_terms(
    committed_engine, live_server, page
):
    with Session(committed_engine) as session:
        company = factories.make_company(session)
        rate = factories.make_tax_rate(session, "19", name="Standard")
        clerk = factories.make_user(
            session, Role.FINANCE, companies=[company], email="clerk@example.com"
        )
        customer = factories.make_customer(session, company)
        invoice = factories.make_issued_invoice(
            session, clerk, customer, [factories.line(rate, "2", "12.50")]
        )
        note = lifecycle.create_credit_note(session, clerk, invoice)
        session.commit()
        note_id = note.id
    sign_in(page, live_server, "clerk@example.com")
    page.goto(f"{live_server}/admin/invoice/edit/?id={note_id}")
    page.fill("#lines-0-quantity", "1")
    expect(page.locator("#live-total")).to_have_text("€14.88")  # 12.50 + 2.38
    expect(page.locator("#due_date")).to_have_value("")
    expect(page.locator("#terms")).to_have_value("")

"""A finance clerk's morning in a real browser: sign in, add a customer, draft, issue, get paid.

Runs against headless Chromium (Debian's `chromium` package); skipped where it is not installed.
"""

import shutil
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from models import Invoice, Role
from tests import factories

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Chromium drops a static file's download (a font) when the page navigates on; Werkzeug's
# development server then leaves that file to the garbage collector. Only static files,
# only this test's server: gunicorn serves production.
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.filterwarnings("ignore:unclosed file <_io.BufferedReader name='[^']*/static/"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <_io.FileIO name='[^']*/static/"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
]


@pytest.fixture
def live_server(shared_app, committed_engine) -> Iterator[str]:
    """The app served over real HTTP from a thread, on committed data wiped afterwards."""
    server = make_server("127.0.0.1", 0, shared_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(live_server):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.set_default_timeout(10_000)
        refused: list[str] = []
        page.on(
            "console",
            lambda message: "script-src" in message.text and refused.append(message.text),
        )
        yield page
        browser.close()
        # The security headers let every script the walkthrough needs run. (They do block the
        # theme's remote Google Fonts stylesheet, on purpose: no remote fetches.)
        assert refused == [], "\n".join(refused)


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

    page.goto(live_server + "/login")
    page.fill("#email", "clerk@example.com")
    page.fill("#password", factories.DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

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

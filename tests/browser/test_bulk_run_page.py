"""A bulk run seen in the browser: started from the invoice list, its progress moving without
a reload while the job works, then its summary."""

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backoffice.extensions import db, document_store
from backoffice.services.bulk import working
from backoffice.services.bulk.steps import Tools
from jobs.bulk import run_bulk
from models import Role
from tests import factories

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def in_app_thread(app, work) -> None:
    """Run work in the app's context on a thread of its own, as a worker would (Playwright's
    event loop owns this thread, where the app context's teardown cannot run)."""

    def run() -> None:
        with app.app_context():
            work()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)


def test_issue_selected_drafts_shows_progress_live_then_the_summary(
    page, live_server, shared_app, committed_engine
):
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        customer = factories.make_customer(session, company, name="Acme Ltd")
        clerk = factories.make_user(
            session, Role.FINANCE, companies=[company], email="fin@bulk.example"
        )
        vat = factories.make_tax_rate(session, "19")
        for _ in range(6):
            factories.make_draft(session, clerk, customer, [factories.line(vat)])
        session.commit()
    sign_in(page, live_server, "fin@bulk.example")
    page.goto(live_server + "/admin/invoice/")
    page.click("input.action-rowtoggle")  # every row of the page
    page.click("text=With selected")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Issue selected drafts")
    page.wait_for_url("**/admin/bulkrun/details/**")
    assert page.text_content("#run [data-count='left']") == "6"
    run_id = int(page.url.rpartition("=")[2])
    page.evaluate("window.notReloaded = true")

    # The job gets through two invoices; the page shows it by itself.
    def two_invoices() -> None:
        session = db.sessionmaker()
        tools = Tools(date.today(), document_store(), bytes)
        working.begin(session, run_id)
        for _ in range(2):
            working.work_next(session, run_id, tools)
            session.commit()
        session.close()

    in_app_thread(shared_app, two_invoices)
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.locator("#run [data-count='done']")).to_have_text("2")
    assert page.text_content("#run [data-count='left']") == "4"
    assert page.evaluate("window.notReloaded") is True
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bulk-run-working.png"), full_page=True)

    in_app_thread(shared_app, lambda: run_bulk(run_id))
    page.wait_for_selector("text=Finished: 6 of 6 issued.")
    assert page.text_content("#run-state") == "finished"
    assert page.locator("#run-cancel").count() == 0

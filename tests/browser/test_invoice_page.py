"""The invoice page in a real browser: an email fails, the page says why in plain words,
Retry now sends it, and the page turns to delivered by itself. Screenshots go to
build/screenshots/ as test artifacts."""

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from rq import SimpleWorker
from rq.timeouts import TimerDeathPenalty
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.services.invoicing import lifecycle
from jobs.queues import connect, queues
from models import EmailMessage, Role
from tests import factories
from tests.jobs.conftest import Inbox, free_port

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
VIEWPORT_HEIGHT = 900


@pytest.fixture
def mail_app(shared_app, live_server, tmp_path) -> Iterator[tuple]:
    """The served app mailing to a local port where nothing listens yet, on an empty Redis."""
    port = free_port()
    overrides = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "DOCUMENTS_DIR": str(tmp_path)}
    saved = {key: shared_app.config[key] for key in overrides}
    shared_app.config.update(overrides)
    redis = connect(shared_app.config["REDIS_URL"])
    redis.flushdb()
    yield shared_app, redis, port
    redis.flushdb()
    redis.close()
    shared_app.config.update(saved)


def issued_invoice(app, committed_engine):
    with Session(committed_engine) as session:
        app.extensions["dispatcher"].attach(session)  # the render job is enqueued on commit
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        customer = factories.make_customer(
            session, company, name="Łódź Trading Sp. z o.o.", email="accounts@lodz.example"
        )
        clerk = factories.make_user(
            session, Role.FINANCE, companies=[company], email="clerk@example.com"
        )
        vat19 = factories.make_tax_rate(session, "19", name="Standard")
        vat7 = factories.make_tax_rate(session, "7", name="Reduced")
        lines = [
            factories.line(vat19, "3", "120.00", description="Consulting, senior engineer"),
            factories.line(vat19, "1", "49.90", description="Barcode scanner", unit="pcs"),
            factories.line(vat7, "2", "35.00", description="Handbook: VAT in e-commerce"),
        ]
        draft = factories.make_draft(session, clerk, customer, lines, po_reference="PO-46048")
        invoice = lifecycle.issue(session, clerk, draft, factories.ISSUE_DAY)
        session.commit()
        return invoice.id, invoice.reference


class ThreadWorker(SimpleWorker):
    """A worker off the main thread, which alone may take signals: job timeouts by timer."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def work_off(app, redis) -> None:
    """Run the queued jobs until none is left, in a thread: Playwright keeps an event loop in
    this one, where the app context's async teardown (flask-sqlalchemy-lite) refuses to run."""

    def work() -> None:
        with app.app_context():
            ThreadWorker(queues(redis), connection=redis).work(burst=True)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()


def mark_page(page) -> None:
    """Leave a mark that only a reload would wipe."""
    page.evaluate("window.stillTheSamePage = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.stillTheSamePage === true")


def test_a_failed_email_is_retried_from_the_invoice_page(
    committed_engine, live_server, mail_app, page
):
    app, redis, port = mail_app
    invoice_id, number = issued_invoice(app, committed_engine)
    work_off(app, redis)  # the PDF
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    sign_in(page, live_server, "clerk@example.com")
    page.goto(f"{live_server}/admin/invoice/details/?id={invoice_id}")
    assert page.inner_text("h3") == number
    # The lines and the VAT breakdown are on the first screen.
    assert page.locator("#vat-breakdown").bounding_box()["y"] + 40 < VIEWPORT_HEIGHT
    assert page.locator("#invoice-totals").bounding_box()["y"] + 40 < VIEWPORT_HEIGHT
    page.screenshot(path=str(SCREENSHOTS / "invoice-issued.png"))

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Send by email')")
    page.wait_for_selector("text=queued for email to accounts@lodz.example")
    mark_page(page)
    work_off(app, redis)  # nothing listens on the SMTP port: the attempt fails

    email = page.locator("#delivery [data-key^='email-']")
    page.wait_for_selector("#delivery [data-key^='email-'][data-state=failed]")
    assert_not_reloaded(page)
    assert email.locator("[data-badge]").inner_text() == "failed"
    assert email.locator("[data-error]").inner_text() == (
        f"The mail server at 127.0.0.1:{port} refused the connection: check SMTP_HOST and "
        "SMTP_PORT, and that the mail server is running."
    )
    assert "Error" not in page.inner_text("#delivery")  # no exception class names
    page.screenshot(path=str(SCREENSHOTS / "invoice-email-failed.png"))

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        page.click("#delivery-retry button")
        page.wait_for_selector(f"text=Retrying the email to accounts@lodz.example of {number}")
        mark_page(page)
        work_off(app, redis)  # at once: the automatic retry would wait 10 s more
        page.wait_for_selector("#delivery [data-key^='email-'][data-state=delivered]")
    finally:
        controller.stop()
    assert_not_reloaded(page)
    assert email.locator("[data-badge]").inner_text() == "delivered"
    assert email.locator("[data-error]").inner_text() == ""
    assert page.locator("#delivery-retry").is_hidden()
    assert page.inner_text("#invoice-status") == "sent"
    page.screenshot(path=str(SCREENSHOTS / "invoice-after-retry.png"))

    # Void takes two steps and a confirmation; saying no there leaves the invoice alone.
    assert page.locator("#void form").is_hidden()
    page.click("#void summary")
    page.fill("#void input[name=reason]", "Wrong customer")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click(f"#void button:has-text('Void {number}')")
    assert_not_reloaded(page)
    assert page.inner_text("#invoice-status") == "sent"

    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "accounts@lodz.example"
    with Session(committed_engine) as session:
        message = session.scalars(select(EmailMessage)).one()
        assert (message.status, message.attempts) == ("sent", 2)

    page.goto(f"{live_server}/admin/auditevent/")
    trail = page.inner_text("table.model-list")
    assert f"Retry now: the email to accounts@lodz.example of Invoice {number}" in trail
    page.screenshot(path=str(SCREENSHOTS / "audit-trail.png"))


def test_a_long_invoice_keeps_its_vat_breakdown_on_the_first_screen(
    committed_engine, live_server, page
):
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        customer = factories.make_customer(session, company, name="Ελληνικά Τρόφιμα Α.Ε.")
        clerk = factories.make_user(
            session, Role.FINANCE, companies=[company], email="clerk@example.com"
        )
        vat19 = factories.make_tax_rate(session, "19", name="Standard")
        lines = [
            factories.line(vat19, str(n), "140.00", description=f"Development, sprint {n}")
            for n in range(1, 41)
        ]
        draft = factories.make_draft(session, clerk, customer, lines)
        invoice = lifecycle.issue(session, clerk, draft, factories.ISSUE_DAY)
        session.commit()
        invoice_id = invoice.id

    sign_in(page, live_server, "clerk@example.com")
    page.goto(f"{live_server}/admin/invoice/details/?id={invoice_id}")
    assert page.locator("#vat-breakdown").bounding_box()["y"] + 40 < VIEWPORT_HEIGHT
    assert page.locator("#invoice-totals").bounding_box()["y"] + 100 < VIEWPORT_HEIGHT
    page.locator("#invoice-lines-box").hover()
    page.mouse.wheel(0, 5000)  # the last lines are a scroll away, in place
    page.locator("text=Development, sprint 40").wait_for()
    assert page.locator("text=Development, sprint 40").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "invoice-long.png"))

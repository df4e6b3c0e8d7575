"""The sync failures screen in a real browser: the provider's words, the payload, Retry."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Role, SyncRecord
from tests import factories

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
ERROR = "Account code '999' is not a valid code for this document."
PAYLOAD = (
    '{"Type": "ACCREC", "InvoiceNumber": "NUMBER", "LineItems": '
    '[{"Quantity": 1.0000, "UnitAmount": 100.000000, "AccountCode": "999"}]}'
)


def test_finance_reads_the_error_and_payload_then_retries(committed_engine, live_server, page):
    with Session(committed_engine) as session:
        company = factories.make_company(session)
        clerk = factories.make_user(session, Role.FINANCE, companies=[company])
        customer = factories.make_customer(session, company, name="Nordwind Handels GmbH")
        invoice = factories.make_issued_invoice(session, clerk, customer)
        record = SyncRecord(
            company_id=company.id,
            provider="xero",
            record_type="invoice",
            record_id=invoice.id,
            status="failed",
            attempts=1,
            last_error=ERROR,
            last_payload=PAYLOAD.replace("NUMBER", invoice.reference),
        )
        session.add(record)
        session.commit()
        email, record_id, reference = clerk.email, record.id, invoice.reference

    sign_in(page, live_server, email)
    page.click("text=Records")
    page.click("text=Sync failures")
    page.wait_for_url("**/admin/sync/")
    assert ERROR in page.inner_text("table")
    assert f"Invoice {reference}" in page.inner_text("table")
    page.click("text=Payload sent")
    assert '"UnitAmount": 100.000000' in page.inner_text("pre")
    assert reference in page.inner_text("pre")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sync_failures.png"), full_page=True)

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Retry')")
    page.wait_for_selector(".alert-success")
    assert f"Invoice {reference} is queued for Xero again." in page.inner_text(".alert-success")
    assert "No failed syncs." in page.inner_text("body")
    page.screenshot(path=str(SCREENSHOTS / "sync_failures_retried.png"), full_page=True)
    with Session(committed_engine) as session:
        status = session.scalar(select(SyncRecord.status).where(SyncRecord.id == record_id))
    assert status == "pending"

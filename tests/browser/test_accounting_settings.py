"""Settings > Accounting in a real browser: an admin connects Xero and fills in the mapping."""

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AccountingConnection, Role
from tests import factories

from .conftest import BROWSER_MARKS, sign_in
from .test_sync_failures import SCREENSHOTS

pytestmark = BROWSER_MARKS


def test_admin_connects_xero_and_completes_the_mapping(
    shared_app, committed_engine, live_server, page, monkeypatch
):
    monkeypatch.setitem(shared_app.config, "SYNC_ENCRYPTION_KEY", Fernet.generate_key().decode())
    with Session(committed_engine) as session:
        factories.make_company(session, name="Nordlicht Software GmbH")
        admin = factories.make_user(session, Role.ADMIN)
        rate = factories.make_tax_rate(session, "19", name="VAT 19")
        session.commit()
        email, rate_id = admin.email, rate.id

    sign_in(page, live_server, email)
    page.click("text=Settings")
    page.click("text=Accounting")
    page.wait_for_url("**/admin/accounting/")
    page.click("text=Connect Xero by pasting credentials")
    form = page.locator("form[action$='/accounting/connect']").first
    form.locator("input[name=client_id]").fill("xero-client")
    form.locator("input[name=client_secret]").fill("xero-secret")
    form.locator("input[name=refresh_token]").fill("xero-refresh")
    form.locator("input[name=tenant_id]").fill("tenant-42")
    form.locator("button:has-text('Connect')").click()
    page.wait_for_selector(".alert-success")
    assert "Set the sales account code that invoices post to in Xero." in page.inner_text("table")

    page.click("text=Mapping for Xero")
    page.fill("input[name=sales_account_code] >> nth=0", "200")
    page.fill(f"input[name=tax_type_{rate_id}] >> nth=0", "OUTPUT2")
    page.fill("input[name=account_bank_transfer] >> nth=0", "090")
    page.click("button:has-text('Save mapping') >> nth=0")
    page.wait_for_selector("text=Mapping saved.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "accounting_settings.png"), full_page=True)
    assert "complete" in page.inner_text("table")
    assert "xero-secret" not in page.content()
    with Session(committed_engine) as session:
        connection = session.scalars(select(AccountingConnection)).one()
        assert (connection.status, connection.tenant_id) == ("connected", "tenant-42")

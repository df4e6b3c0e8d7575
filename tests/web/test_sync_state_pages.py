"""Each record's page shows where it stands in the accounting systems, with Retry."""

import html

from backoffice.services.payments import ledger
from models import Role
from tests import factories

from .conftest import csrf_token
from .test_sync_failures import failed_record


def test_invoice_customer_and_payment_pages_show_their_sync_state(
    client_as, db_session, company, customer, vat19
):
    finance = factories.make_user(db_session, Role.FINANCE, companies=[company])
    invoice = factories.make_issued_invoice(db_session, finance, customer, [factories.line(vat19)])
    payment = ledger.record_payment(db_session, finance, invoice, "10.00", factories.ISSUE_DAY)
    ledger.record_refund(db_session, finance, invoice, "4.00", factories.ISSUE_DAY)
    failed = failed_record(db_session, company, record_id=invoice.id)
    failed_record(
        db_session,
        company,
        provider="quickbooks",
        record_type="customer",
        record_id=customer.id,
        status="synced",
        remote_id="58",
        last_error="",
    )
    failed_record(
        db_session,
        company,
        record_type="payment",
        record_id=payment.id,
        status="synced",
        remote_id="pay-remote-1",
        last_error="",
    )
    db_session.commit()
    client = client_as("finance")

    page = html.unescape(client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(True))
    assert "Accounting sync" in page
    assert "Account code '999' is not a valid code for this document." in page
    assert "pay-remote-1" in page and page.count('name="record_id"') == 1  # Retry the failed one
    assert "The refund of €4.00 on 2026-03-02 is not pushed" in page

    back = f"/admin/invoice/details/?id={invoice.id}"
    response = client.post(
        "/admin/sync/retry",
        data={"record_id": failed.id, "next": back, "csrf_token": csrf_token(client, back)},
    )
    assert response.status_code == 302 and response.headers["Location"] == back
    db_session.refresh(failed)
    assert (failed.status, failed.request_count) == ("pending", 2)

    customer_page = client.get(f"/admin/customer/details/?id={customer.id}").get_data(True)
    assert "QuickBooks Online" in customer_page and "<code>58</code>" in customer_page
    payment_page = client.get(f"/admin/payment/details/?id={payment.id}").get_data(True)
    assert "pay-remote-1" in payment_page and "Retry" not in payment_page


def test_support_reads_the_state_without_retry_and_offsite_returns_are_refused(
    client_as, db_session, company, customer, vat19
):
    finance = factories.make_user(db_session, Role.FINANCE, companies=[company])
    invoice = factories.make_issued_invoice(db_session, finance, customer, [factories.line(vat19)])
    failed = failed_record(db_session, company, record_id=invoice.id)
    db_session.commit()
    page = client_as("support").get(f"/admin/invoice/details/?id={invoice.id}").get_data(True)
    assert "is not a valid code" in html.unescape(page) and "Retry" not in page

    client = client_as("finance")
    response = client.post(
        "/admin/sync/retry",
        data={
            "record_id": failed.id,
            "next": "http:evil.example/",
            "csrf_token": csrf_token(client, "/admin/sync/"),
        },
    )
    assert response.headers["Location"].endswith("/admin/sync/")

"""Issued invoices, credit notes and payments reach a local MYOB exactly once, without keys."""

from decimal import Decimal

from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import ledger
from tests import factories
from tests.fake_myob import CLIENT_ID, FILE_ID, FakeMyob, Fault

from .conftest import run_jobs
from .test_sync_xero import issue, sync_record

API = f"/accountright/{FILE_ID}"


def test_invoice_reaches_myob_after_a_refresh_and_its_customer(
    live_app, redis, world, myob_connected, myob: FakeMyob
):
    invoice = issue(world)
    run_jobs(live_app, redis, ("sync",))

    assert myob.seen[0].path == "/oauth2/v1/authorize"  # connected without an access token
    (customer_post,) = myob.calls("POST", "Contact/Customer")
    (invoice_post,) = myob.calls("POST", "Sale/Invoice/Service")
    for request in (customer_post, invoice_post):
        assert request.headers["Authorization"] == f"Bearer {myob.access_token}"
        assert request.headers["X-Myobapi-Key"] == CLIENT_ID
        assert request.query == {"returnBody": "true"}
    assert customer_post.body["DisplayID"] == f"C{world.customer.id}"
    (customer_uid,) = myob.records["Contact/Customer"]
    sent = invoice_post.body
    assert sent["Number"] == invoice.reference.replace("-", "")
    assert sent["Customer"] == {"UID": customer_uid}
    assert sent["Lines"] == [
        {
            "Type": "Transaction",
            "Description": "Consulting",
            "Total": Decimal("360.000"),
            "Account": {"UID": "acct-4-1000"},
            "TaxCode": {"UID": "tax-gst"},
        }
    ]
    record = sync_record(world, "invoice", invoice.id)
    (invoice_uid,) = myob.records["Sale/Invoice/Service"]
    assert (record.status, record.remote_id) == ("synced", invoice_uid)


def test_timeout_after_myob_created_the_sale_finds_it_instead_of_creating_again(
    live_app, redis, world, myob_connected, myob: FakeMyob
):
    myob.faults.append(
        Fault("POST", "Sale/Invoice/Service", 504, {"Name": "GatewayTimeout"}, act_first=True)
    )
    invoice = issue(world)
    run_jobs(live_app, redis, ("sync",))

    assert len(myob.calls("POST", "Sale/Invoice/Service")) == 1
    lookups = [s.query["$filter"] for s in myob.calls("GET", "Sale/Invoice/Service")]
    number = invoice.reference.replace("-", "")
    assert lookups == [f"Number eq '{number}'"] * 2  # before the create, and before the retry
    (invoice_uid,) = myob.records["Sale/Invoice/Service"]
    record = sync_record(world, "invoice", invoice.id)
    assert (record.status, record.remote_id, record.attempts) == ("synced", invoice_uid, 1)


def test_changed_customer_is_updated_by_row_version_and_errors_kept_verbatim(
    live_app, redis, world, myob_connected, myob: FakeMyob
):
    issue(world)
    run_jobs(live_app, redis, ("sync",))
    (customer_uid,) = myob.records["Contact/Customer"]
    version = myob.records["Contact/Customer"][customer_uid]["RowVersion"]
    world.customer.name = "Nordwind Logistik AG"
    world.session.commit()
    issue(world)
    run_jobs(live_app, redis, ("sync",))

    (put,) = myob.calls("PUT", "Contact/Customer")
    assert put.path == f"{API}/Contact/Customer/{customer_uid}"
    assert (put.body["UID"], put.body["RowVersion"]) == (customer_uid, version)
    assert myob.records["Contact/Customer"][customer_uid]["CompanyName"] == "Nordwind Logistik AG"

    other = factories.make_customer(world.session, world.company, email="no-address")
    world.session.commit()
    draft = factories.make_draft(world.session, world.finance, other, [factories.line(world.vat19)])
    lifecycle.issue(world.session, world.finance, draft, factories.ISSUE_DAY)
    world.session.commit()
    run_jobs(live_app, redis, ("sync",))
    failed = sync_record(world, "customer", other.id)
    assert (failed.status, failed.last_error) == (
        "failed",
        "Email address is invalid. Addresses.Email",
    )


def test_payment_and_credit_settlement(live_app, redis, world, myob_connected, myob: FakeMyob):
    invoice = issue(world, "2", "100.00")  # 238.00
    ledger.record_payment(
        world.session, world.finance, invoice, "100.00", factories.ISSUE_DAY, reference="T-1"
    )
    world.session.commit()
    note = lifecycle.credit_in_full(world.session, world.finance, invoice, factories.ISSUE_DAY)
    world.session.commit()
    run_jobs(live_app, redis, ("sync",))

    sales = list(myob.records["Sale/Invoice/Service"].values())
    assert [sale["Lines"][0]["Total"] for sale in sales] == [
        Decimal("200.000"),
        Decimal("-200.000"),
    ]
    invoice_uid, return_uid = (sale["UID"] for sale in sales)
    (payment,) = myob.records["Sale/CustomerPayment"].values()
    assert payment["AmountReceived"] == Decimal("100.00")
    assert payment["Invoices"] == [
        {"UID": invoice_uid, "AmountApplied": Decimal("100.00"), "Type": "Invoice"}
    ]
    (settlement,) = myob.records["Sale/CreditSettlement"].values()
    assert settlement["FromCustomerReturn"] == {"UID": return_uid}
    assert settlement["Invoices"][0]["AmountApplied"] == Decimal("138.00")
    assert sync_record(world, "allocation", note.id).status == "synced"

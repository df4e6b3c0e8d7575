"""Issued invoices, credit memos and payments reach a local QuickBooks Online exactly once."""

from decimal import Decimal

from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import ledger
from tests import factories
from tests.fake_quickbooks import FakeQuickBooks

from .conftest import run_jobs
from .test_sync_xero import issue, sync_record

API = "/v3/company/9130350000000001"


def test_issued_invoice_reaches_quickbooks_after_its_customer(
    quickbooks_app, redis, world, quickbooks_connected, quickbooks: FakeQuickBooks
):
    invoice = issue(world)
    run_jobs(quickbooks_app, redis, ("sync",))

    customer_post, invoice_post = quickbooks.writes("customer") + quickbooks.writes("invoice")
    assert customer_post.path == f"{API}/customer" and invoice_post.path == f"{API}/invoice"
    for request in (customer_post, invoice_post):
        assert request.headers["Authorization"] == f"Bearer {quickbooks.access_token}"
        assert request.query["requestid"] and request.query["minorversion"] == "75"
    assert customer_post.body["DisplayName"] == "Łódź Ελλάδα Москва Zürich GmbH"
    (customer_id,) = quickbooks.records["Customer"]
    sent = invoice_post.body
    assert sent["CustomerRef"] == {"value": customer_id}
    assert sent["DocNumber"] == invoice.reference
    assert sent["Line"] == [
        {
            "DetailType": "SalesItemLineDetail",
            "Amount": Decimal("360.000"),
            "Description": "Consulting",
            "SalesItemLineDetail": {
                "ItemRef": {"value": "1"},
                "TaxCodeRef": {"value": "TAX"},
                "Qty": Decimal("3.0000"),
                "UnitPrice": Decimal("120.000000"),
            },
        }
    ]
    record = sync_record(world, "invoice", invoice.id)
    (invoice_id,) = quickbooks.records["Invoice"]
    assert (record.status, record.remote_id, record.remote_version) == ("synced", invoice_id, "0")


def test_changed_customer_is_updated_with_its_sync_token(
    quickbooks_app, redis, world, quickbooks_connected, quickbooks
):
    issue(world)
    run_jobs(quickbooks_app, redis, ("sync",))
    world.customer.name = "Nordwind Logistik AG"
    world.session.commit()
    issue(world)
    run_jobs(quickbooks_app, redis, ("sync",))

    (customer_id,) = quickbooks.records["Customer"]
    update = quickbooks.writes("customer")[-1].body
    assert (update["Id"], update["SyncToken"], update["sparse"]) == (customer_id, "0", True)
    assert quickbooks.records["Customer"][customer_id]["DisplayName"] == "Nordwind Logistik AG"
    assert sync_record(world, "customer", world.customer.id).remote_version == "1"
    assert len(quickbooks.records["Invoice"]) == 2


def test_stale_sync_token_is_read_again_and_the_update_retried_once(
    quickbooks_app, redis, world, quickbooks_connected, quickbooks
):
    issue(world)
    run_jobs(quickbooks_app, redis, ("sync",))
    (customer_id,) = quickbooks.records["Customer"]
    quickbooks.edited_elsewhere("Customer", customer_id)  # someone edited it in QuickBooks
    world.customer.name = "Nordwind Logistik AG"
    world.session.commit()
    issue(world)
    run_jobs(quickbooks_app, redis, ("sync",))

    calls = [(s.method, s.path, (s.body or {}).get("SyncToken")) for s in quickbooks.seen]
    assert calls[2:5] == [
        ("POST", f"{API}/customer", "0"),  # stale: QuickBooks has 1
        ("GET", f"{API}/customer/{customer_id}", None),
        ("POST", f"{API}/customer", "1"),
    ]
    record = sync_record(world, "customer", world.customer.id)
    assert (record.status, record.remote_version) == ("synced", "2")


def test_lasting_conflict_is_marked_conflict_with_quickbooks_words(
    quickbooks_app, redis, world, quickbooks_connected, quickbooks
):
    issue(world)
    run_jobs(quickbooks_app, redis, ("sync",))
    (customer_id,) = quickbooks.records["Customer"]
    quickbooks.edited_elsewhere("Customer", customer_id)
    quickbooks.always_stale.add(customer_id)
    world.customer.name = "Nordwind Logistik AG"
    world.session.commit()
    invoice = issue(world)
    run_jobs(quickbooks_app, redis, ("sync",))

    assert len(quickbooks.writes("customer")) == 3  # create, stale update, one retry
    record = sync_record(world, "customer", world.customer.id)
    assert record.status == "conflict"
    assert record.last_error.startswith("Changed in QuickBooks while this was pushed, twice: ")
    assert "Stale Object Error : You and someone else were working on this" in record.last_error
    assert sync_record(world, "invoice", invoice.id).status == "conflict"
    assert len(quickbooks.records["Invoice"]) == 1


def test_duplicate_name_is_kept_verbatim(
    quickbooks_app, redis, world, quickbooks_connected, quickbooks
):
    quickbooks.records["Customer"]["7"] = {
        "Id": "7",
        "SyncToken": "0",
        "DisplayName": world.customer.name,
    }
    issue(world)
    run_jobs(quickbooks_app, redis, ("sync",))

    record = sync_record(world, "customer", world.customer.id)
    assert record.status == "failed"
    assert record.last_error == (
        "Duplicate Name Exists Error: The name supplied already exists. : Another customer "
        f"is already using this name: {world.customer.name}"
    )


def test_payment_and_credit_memo_are_applied_to_the_invoice(
    quickbooks_app, redis, world, quickbooks_connected, quickbooks
):
    invoice = issue(world, "2", "100.00")  # 238.00
    ledger.record_payment(
        world.session, world.finance, invoice, "100.00", factories.ISSUE_DAY, reference="T-1"
    )
    world.session.commit()
    note = lifecycle.credit_in_full(world.session, world.finance, invoice, factories.ISSUE_DAY)
    world.session.commit()
    run_jobs(quickbooks_app, redis, ("sync",))

    (invoice_id,) = quickbooks.records["Invoice"]
    (memo_id,) = quickbooks.records["CreditMemo"]
    payment, applied = quickbooks.records["Payment"].values()
    assert payment["TotalAmt"] == Decimal("100.00")
    assert payment["DepositToAccountRef"] == {"value": "35"}
    assert payment["Line"][0]["LinkedTxn"] == [{"TxnId": invoice_id, "TxnType": "Invoice"}]
    assert applied["TotalAmt"] == Decimal("0.00")
    assert [line["LinkedTxn"][0] for line in applied["Line"]] == [
        {"TxnId": invoice_id, "TxnType": "Invoice"},
        {"TxnId": memo_id, "TxnType": "CreditMemo"},
    ]
    # 238.00 credited, 100.00 paid: only the 138.00 still owed is applied.
    assert [line["Amount"] for line in applied["Line"]] == [Decimal("138.00")] * 2
    assert sync_record(world, "allocation", note.id).status == "synced"

"""A reversed payment leaves the books: deleted in Xero, QuickBooks Online and MYOB, where no
negative payment is taken; one the books never had is not sent at all. Customer credit
applied to an invoice reaches them as a payment from the clearing account."""

from datetime import date
from decimal import Decimal

from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import customer_credit, ledger, reversal
from backoffice.services.sync import mapping, records
from models import Role, SyncRecordType
from tests import factories
from tests.fake_xero import Fault

from .conftest import run_jobs
from .test_sync_xero import issue, sync_record


def pay(world, app, redis):
    invoice = issue(world, "2", "100.00")  # 238.00
    payment = ledger.record_payment(
        world.session, world.finance, invoice, "100.00", factories.ISSUE_DAY, reference="T-1"
    )
    world.session.commit()
    run_jobs(app, redis, ("sync",))
    return payment, sync_record(world, "payment", payment.id).remote_id


def reverse(world, app, redis, payment) -> None:
    reversal.reverse_payment(world.session, world.finance, payment, "Bounced", date(2026, 3, 9))
    world.session.commit()
    run_jobs(app, redis, ("sync",))


def test_reversed_payment_is_deleted_in_xero_once(xero_app, redis, world, connected, xero):
    payment, remote_id = pay(world, xero_app, redis)
    path = f"/Payments/{remote_id}"
    # The delete times out after Xero did it: the retry, under the same key, deletes once.
    xero.faults.append(Fault("POST", path, 504, {"Title": "Gateway Timeout"}, act_first=True))
    reverse(world, xero_app, redis, payment)

    first, retry = xero.writes(f"/api.xro/2.0{path}")
    assert first.body == retry.body == {"Payments": [{"Status": "DELETED"}]}
    assert first.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"]
    assert xero.records["Payments"][remote_id]["Status"] == "DELETED"
    record = sync_record(world, "payment", payment.id)
    assert (record.status, record.remote_id, record.pushed_digest) == (
        "synced",
        remote_id,
        "withdrawn",
    )
    # Asked again (sync run, the catch-up): nothing more reaches Xero.
    before = len(xero.seen)
    records.request_push(world.session, world.company.id, SyncRecordType.PAYMENT, payment.id)
    world.session.commit()
    run_jobs(xero_app, redis, ("sync",))
    assert len(xero.seen) == before and sync_record(world, "payment", payment.id).status == "synced"


def test_reversed_payment_is_deleted_in_quickbooks_by_its_sync_token(
    quickbooks_app, redis, world, quickbooks_connected, quickbooks
):
    payment, _ = pay(world, quickbooks_app, redis)
    reverse(world, quickbooks_app, redis, payment)
    record = sync_record(world, "payment", payment.id)
    (delete,) = [s for s in quickbooks.seen if s.query.get("operation") == "delete"]
    assert delete.path.endswith("/payment")
    assert delete.body == {"Id": record.remote_id, "SyncToken": "0"}
    assert quickbooks.records["Payment"][record.remote_id]["status"] == "Deleted"
    assert record.status == "synced"


def test_reversed_payment_is_deleted_in_myob(live_app, redis, world, myob_connected, myob):
    payment, _ = pay(world, live_app, redis)
    reverse(world, live_app, redis, payment)
    record = sync_record(world, "payment", payment.id)
    (delete,) = myob.calls("DELETE", "Sale/CustomerPayment")
    assert delete.path.endswith(f"/Sale/CustomerPayment/{record.remote_id}")
    assert myob.records["Sale/CustomerPayment"] == {}
    assert record.status == "synced"


def test_payment_reversed_before_its_push_never_reaches_xero(
    xero_app, redis, world, connected, xero
):
    invoice = issue(world, "2", "100.00")
    payment = ledger.record_payment(
        world.session, world.finance, invoice, "50.00", factories.ISSUE_DAY
    )
    reversal.reverse_payment(world.session, world.finance, payment, "Typo", factories.ISSUE_DAY)
    world.session.commit()
    run_jobs(xero_app, redis, ("sync",))
    assert xero.records["Payments"] == {} and len(xero.records["Invoices"]) == 1
    record = sync_record(world, "payment", payment.id)
    assert record.status == "synced" and record.remote_id is None


def test_credit_application_is_a_payment_from_the_clearing_account(
    xero_app, redis, world, connected, xero
):
    mapping.save_mapping(
        world.session,
        factories.make_user(world.session, Role.ADMIN),
        world.company.id,
        "xero",
        sales_account_code="200",
        tax_types={world.vat19.id: "OUTPUT2"},
        payment_accounts={"bank_transfer": "090", "customer_credit": "835"},
    )
    first = issue(world, "2", "100.00")  # 238.00
    ledger.record_payment(world.session, world.finance, first, "100.00", factories.ISSUE_DAY)
    world.session.commit()
    # Credited in full after 100.00 was paid: those 100.00 are the customer's credit.
    lifecycle.credit_in_full(world.session, world.finance, first, factories.ISSUE_DAY)
    second = issue(world, "1", "100.00")  # 119.00
    applied = customer_credit.apply_credit(
        world.session, world.finance, second, None, factories.ISSUE_DAY
    )
    world.session.commit()
    run_jobs(xero_app, redis, ("sync",))

    second_id = next(
        remote_id
        for remote_id, invoice in xero.records["Invoices"].items()
        if invoice["InvoiceNumber"] == second.reference
    )
    (from_credit,) = [p for p in xero.records["Payments"].values() if p["Account"]["Code"] == "835"]
    assert from_credit["Invoice"] == {"InvoiceID": second_id}
    assert from_credit["Amount"] == Decimal("100.00")
    # Nothing else moved to or from the credit reached Xero: one payment of money received.
    assert len(xero.records["Payments"]) == 2

    reversal.reverse_payment(
        world.session, world.finance, applied, "Wrong invoice", date(2026, 3, 9)
    )
    world.session.commit()
    run_jobs(xero_app, redis, ("sync",))
    remote_id = sync_record(world, "payment", applied.id).remote_id
    assert xero.records["Payments"][remote_id]["Status"] == "DELETED"

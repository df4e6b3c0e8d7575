"""Issued invoices, credit notes and payments reach a local Xero exactly once, through RQ."""

from datetime import timedelta
from decimal import Decimal

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import select

from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import ledger
from backoffice.services.sync import clients, connections
from backoffice.services.sync.http import RateLimited
from backoffice.services.sync.sealing import keyring
from jobs.sync import spend_call
from models import Invoice, SyncRecord
from tests import factories
from tests.fake_xero import TENANT_ID, FakeXero, Fault

from .conftest import run_jobs
from .sync_setup import KEY, connect_xero


def issue(world, quantity: str = "3", price: str = "120.00") -> Invoice:
    session = world.session
    draft = factories.make_draft(
        session, world.finance, world.customer, [factories.line(world.vat19, quantity, price)]
    )
    invoice = lifecycle.issue(session, world.finance, draft, factories.ISSUE_DAY)
    session.commit()
    return invoice


def sync_record(world, record_type: str, record_id: int) -> SyncRecord:
    world.session.expire_all()
    return world.session.scalars(
        select(SyncRecord).filter_by(record_type=record_type, record_id=record_id)
    ).one()


def test_issued_invoice_reaches_xero_after_its_contact(xero_app, redis, world, connected, xero):
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))

    contact_put, invoice_put = xero.writes("/api.xro/2.0/")
    assert (contact_put.method, contact_put.path) == ("PUT", "/api.xro/2.0/Contacts")
    assert (invoice_put.method, invoice_put.path) == ("PUT", "/api.xro/2.0/Invoices")
    for request in (contact_put, invoice_put):
        assert request.headers["Authorization"] == f"Bearer {xero.access_token}"
        assert request.headers["Xero-Tenant-Id"] == TENANT_ID
        assert request.headers["Idempotency-Key"]
        assert request.headers["Content-Type"] == "application/json"
    contact = contact_put.body["Contacts"][0]
    assert contact["Name"] == "Łódź Ελλάδα Москва Zürich GmbH"
    assert contact["EmailAddress"] == "ap@customer.example"
    sent = invoice_put.body["Invoices"][0]
    (contact_id,) = xero.records["Contacts"]
    assert sent["Type"] == "ACCREC"
    assert sent["Contact"] == {"ContactID": contact_id}
    assert sent["InvoiceNumber"] == invoice.reference
    assert sent["Date"] == "2026-03-02" and sent["Status"] == "AUTHORISED"
    assert sent["LineItems"] == [
        {
            "Description": "Consulting",
            "Quantity": Decimal("3.0000"),
            "UnitAmount": Decimal("120.000000"),
            "DiscountRate": Decimal("0.0000"),
            "AccountCode": "200",
            "TaxType": "OUTPUT2",
            "TaxAmount": Decimal("68.40"),
        }
    ]
    assert '"UnitAmount": 120.000000' in invoice_put.text  # an exact number, not a string

    record = sync_record(world, "invoice", invoice.id)
    (invoice_id,) = xero.records["Invoices"]
    assert (record.status, record.remote_id, record.attempts) == ("synced", invoice_id, 0)
    assert record.idempotency_key == invoice_put.headers["Idempotency-Key"]
    assert sync_record(world, "customer", world.customer.id).remote_id == contact_id


def test_expired_access_token_is_refreshed_before_the_push(xero_app, redis, world, xero):
    connection = connect_xero(world, xero, expires_in=timedelta(minutes=-5))
    first_refresh = xero.refresh_token
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))

    assert xero.seen[0].path == "/connect/token"
    assert "grant_type=refresh_token" in xero.seen[0].text
    assert f"refresh_token={first_refresh}" in xero.seen[0].text
    assert sum(seen.path == "/connect/token" for seen in xero.seen) == 1
    assert sync_record(world, "invoice", invoice.id).status == "synced"
    world.session.refresh(connection)
    # The rotated tokens are stored, sealed: the next push starts from them.
    assert xero.refresh_token not in connection.refresh_token_sealed
    stored = connections.credentials(connection, keyring(KEY)).tokens
    assert (stored.access_token, stored.refresh_token) == (xero.access_token, xero.refresh_token)
    second = issue(world)
    run_jobs(xero_app, redis, ("sync",))
    assert sum(seen.path == "/connect/token" for seen in xero.seen) == 1
    assert sync_record(world, "invoice", second.id).status == "synced"


def test_revoked_access_token_is_refreshed_once_on_401(xero_app, redis, world, connected, xero):
    xero.access_token = "revoked-elsewhere"  # Xero no longer takes the stored token
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))

    paths = [seen.path for seen in xero.seen]
    assert paths[:3] == ["/api.xro/2.0/Contacts", "/connect/token", "/api.xro/2.0/Contacts"]
    assert sync_record(world, "invoice", invoice.id).status == "synced"


def test_rate_limited_push_waits_retry_after_without_failing(
    xero_app, redis, world, connected, xero
):
    xero.faults.append(
        Fault("PUT", "/Invoices", 429, {"Title": "Too Many Requests"}, {"Retry-After": "45"})
    )
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))

    record = sync_record(world, "invoice", invoice.id)
    assert (record.status, record.attempts, record.last_error) == ("pending", 0, "")
    assert record.next_attempt_at > record.updated_at  # not before Retry-After
    scheduled = ScheduledJobRegistry(queue=Queue("sync", connection=redis))
    assert scheduled.get_job_ids() == [f"sync-{record.id}-r2"]
    wait = scheduled.get_scheduled_time(f"sync-{record.id}-r2") - record.updated_at
    assert 40 <= wait.total_seconds() <= 50
    assert FailedJobRegistry(queue=Queue("sync", connection=redis)).get_job_ids() == []

    # When the scheduler moves it to the queue, it pushes the invoice once.
    Queue("sync", connection=redis).enqueue_job(
        Queue("sync", connection=redis).fetch_job(f"sync-{record.id}-r2")
    )
    scheduled.remove(f"sync-{record.id}-r2")
    run_jobs(xero_app, redis, ("sync",))
    assert sync_record(world, "invoice", invoice.id).status == "synced"
    assert len(xero.records["Invoices"]) == 1


def test_timeout_after_xero_created_the_invoice_retries_under_the_same_key(
    xero_app, redis, world, connected, xero: FakeXero
):
    xero.faults.append(Fault("PUT", "/Invoices", 504, {"Title": "Gateway Timeout"}, act_first=True))
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))  # the retry interval is 0 s here

    puts = xero.writes("/api.xro/2.0/Invoices")
    assert len(puts) == 2
    assert puts[0].headers["Idempotency-Key"] == puts[1].headers["Idempotency-Key"]
    assert puts[0].text == puts[1].text
    assert len(xero.records["Invoices"]) == 1
    record = sync_record(world, "invoice", invoice.id)
    (invoice_id,) = xero.records["Invoices"]
    assert (record.status, record.remote_id, record.attempts) == ("synced", invoice_id, 1)


def test_validation_error_is_kept_verbatim_and_not_retried(xero_app, redis, world, connected, xero):
    world.customer.email = "accounts-at-customer"
    world.session.commit()
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))

    assert len(xero.writes("/api.xro/2.0/Contacts")) == 1  # no retry
    assert xero.writes("/api.xro/2.0/Invoices") == []
    contact = sync_record(world, "customer", world.customer.id)
    assert (contact.status, contact.last_error) == ("failed", "Email address must be valid.")
    record = sync_record(world, "invoice", invoice.id)
    assert record.status == "failed"
    assert record.last_error == "The customer it needs did not sync: Email address must be valid."
    assert '"EmailAddress": "accounts-at-customer"' in contact.last_payload
    failed = FailedJobRegistry(queue=Queue("sync", connection=redis))
    assert failed.get_job_ids() == [f"sync-{record.id}-r1"]


def test_customer_changed_after_sync_is_updated_not_duplicated(
    xero_app, redis, world, connected, xero
):
    issue(world)
    run_jobs(xero_app, redis, ("sync",))
    (contact_id,) = xero.records["Contacts"]
    world.customer.name = "Nordwind Logistik AG"
    world.session.commit()
    issue(world)
    run_jobs(xero_app, redis, ("sync",))

    update = xero.writes("/api.xro/2.0/Contacts")[-1]
    assert (update.method, update.path) == ("POST", f"/api.xro/2.0/Contacts/{contact_id}")
    assert update.body["Contacts"][0]["ContactID"] == contact_id
    assert list(xero.records["Contacts"]) == [contact_id]
    assert xero.records["Contacts"][contact_id]["Name"] == "Nordwind Logistik AG"
    assert len(xero.records["Invoices"]) == 2


def test_voided_invoice_is_voided_in_xero(xero_app, redis, world, connected, xero):
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))
    lifecycle.void(world.session, world.finance, invoice, "Ordered twice")
    world.session.commit()
    run_jobs(xero_app, redis, ("sync",))

    (invoice_id,) = xero.records["Invoices"]
    update = xero.writes("/api.xro/2.0/Invoices")[-1]
    assert (update.method, update.path) == ("POST", f"/api.xro/2.0/Invoices/{invoice_id}")
    assert xero.records["Invoices"][invoice_id]["Status"] == "VOIDED"
    assert sync_record(world, "invoice", invoice.id).request_count == 2


def test_credit_note_is_allocated_and_payment_applied(xero_app, redis, world, connected, xero):
    invoice = issue(world, "2", "100.00")  # 238.00
    ledger.record_payment(
        world.session, world.finance, invoice, "100.00", factories.ISSUE_DAY, reference="T-1"
    )
    world.session.commit()
    note = lifecycle.credit_in_full(world.session, world.finance, invoice, factories.ISSUE_DAY)
    world.session.commit()
    run_jobs(xero_app, redis, ("sync",))

    (invoice_id,) = xero.records["Invoices"]
    (note_id,) = xero.records["CreditNotes"]
    assert xero.records["CreditNotes"][note_id]["Type"] == "ACCRECCREDIT"
    assert xero.records["CreditNotes"][note_id]["CreditNoteNumber"] == note.reference
    (payment,) = xero.records["Payments"].values()
    assert payment["Invoice"] == {"InvoiceID": invoice_id}
    assert payment["Account"] == {"Code": "090"}
    assert payment["Amount"] == Decimal("100.00") and payment["Reference"] == "T-1"
    (allocation,) = xero.allocations
    assert allocation["CreditNoteID"] == note_id
    assert allocation["Invoice"] == {"InvoiceID": invoice_id}
    # 238.00 credited, 100.00 paid: only the 138.00 still owed is set against the invoice.
    assert allocation["Amount"] == Decimal("138.00")
    assert len(xero.records["Contacts"]) == 1
    for record_type, record_id in (("credit_note", note.id), ("allocation", note.id)):
        assert sync_record(world, record_type, record_id).status == "synced"


def test_xero_down_through_every_retry_fails_the_record_with_its_answer(
    xero_app, redis, world, connected, xero
):
    for _ in range(3):  # the first attempt and the two retries of JOB_RETRY_INTERVALS=0,0
        xero.faults.append(Fault("PUT", "/Invoices", 503, {"Title": "Service Unavailable"}))
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))

    record = sync_record(world, "invoice", invoice.id)
    assert (record.status, record.attempts) == ("failed", 3)
    assert record.last_error == "Xero answered HTTP 503 SERVICE UNAVAILABLE."
    keys = {put.headers["Idempotency-Key"] for put in xero.writes("/api.xro/2.0/Invoices")}
    assert len(keys) == 1  # every retry under the first attempt's key
    assert xero.records["Invoices"] == {}


def test_refused_refresh_token_asks_for_a_reconnect(xero_app, redis, world, xero):
    connection = connect_xero(world, xero, expires_in=timedelta(minutes=-1))
    xero.refresh_token = "revoked-by-the-user-in-xero"
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))

    world.session.refresh(connection)
    assert connection.status == "needs_reconnect"
    assert connection.last_error == (
        "The provider refused the refresh token (invalid_grant): connect again."
    )
    record = sync_record(world, "invoice", invoice.id)
    assert record.status == "failed" and "connect again" in record.last_error
    assert len(xero.seen) == 1  # the refresh; nothing reached the API


def test_calls_beyond_the_tenants_minute_wait_for_the_next_one(redis):
    minute_start = 1_800_000_000 - 1_800_000_000 % 60
    spend_call(redis, "xero:t1", 2, now=minute_start + 5)
    spend_call(redis, "xero:t1", 2, now=minute_start + 10)
    with pytest.raises(RateLimited) as limited:
        spend_call(redis, "xero:t1", 2, now=minute_start + 45)
    assert limited.value.retry_after == 15
    spend_call(redis, "xero:t2", 2, now=minute_start + 45)  # another tenant has its own
    spend_call(redis, "xero:t1", 2, now=minute_start + 61)  # a new minute


def test_spent_minute_defers_the_push_without_calling_xero(
    xero_app, redis, world, connected, xero, monkeypatch
):
    monkeypatch.setitem(clients.CALLS_PER_MINUTE, "xero", 0)
    invoice = issue(world)
    run_jobs(xero_app, redis, ("sync",))

    assert xero.seen == []
    record = sync_record(world, "invoice", invoice.id)
    assert (record.status, record.attempts, record.request_count) == ("pending", 0, 2)
    scheduled = ScheduledJobRegistry(queue=Queue("sync", connection=redis))
    assert scheduled.get_job_ids() == [f"sync-{record.id}-r2"]

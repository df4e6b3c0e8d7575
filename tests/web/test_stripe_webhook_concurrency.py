"""Stripe delivering one event twice at the same moment: one request books, the other waits
for it on the event's unique id and then answers 200 without booking."""

import threading
import time

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models import Invoice, Payment, Role, StripeEvent
from tests import factories
from tests.fake_stripe import WEBHOOK_SECRET, checkout_completed, signature


def _wait_for_lock_waiters(engine, count: int) -> None:
    """Return once count backends of this database wait for a lock (bounded: 30 s)."""
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting >= count:
                return
            conn.rollback()  # a fresh snapshot of pg_stat_activity
            time.sleep(0.02)
    raise AssertionError(f"{count} requests never waited for a lock")


def test_same_event_delivered_twice_at_once_books_one_payment(
    committed_engine, shared_app, monkeypatch
):
    monkeypatch.setitem(shared_app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    with Session(committed_engine) as setup:
        company = factories.make_company(setup)
        finance = factories.make_user(setup, Role.FINANCE, companies=[company])
        invoice = factories.make_issued_invoice(
            setup, finance, factories.make_customer(setup, company)
        )
        setup.commit()
        invoice_id, company_id = invoice.id, company.id
    body = checkout_completed("evt_twice", invoice_id, company_id)
    answers: list = []

    def deliver() -> None:
        response = shared_app.test_client().post(
            "/webhooks/stripe",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": signature(body)},
        )
        answers.append((response.status_code, response.get_json()["outcome"]))

    # Hold the invoice so that both deliveries are in flight together: the first waits here
    # with its event row inserted, the second waits behind that row.
    with committed_engine.connect() as holder:
        holder.execute(select(Invoice).where(Invoice.id == invoice_id).with_for_update())
        deliveries = [threading.Thread(target=deliver) for _ in range(2)]
        for delivery in deliveries:
            delivery.start()
        _wait_for_lock_waiters(committed_engine, 2)
        holder.rollback()
    for delivery in deliveries:
        delivery.join(timeout=30)
        assert not delivery.is_alive()

    assert sorted(answers) == [(200, "booked"), (200, "duplicate")]
    with Session(committed_engine) as check:
        assert check.scalar(select(func.count()).select_from(Payment)) == 1
        assert check.scalar(select(func.count()).select_from(StripeEvent)) == 1
        assert check.get(Invoice, invoice_id).status == "paid"

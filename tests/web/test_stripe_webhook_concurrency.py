"""Stripe delivering one payment twice at the same moment, as the same event or as the page's
completion and its payment intent's success: one request books, the other waits for it (on
the event's unique id, or on the invoice) and then answers 200 without booking."""

import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models import Invoice, Payment, Role, StripeEvent
from tests import factories
from tests.fake_stripe import WEBHOOK_SECRET, checkout_completed, intent_succeeded, signature


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


@pytest.mark.parametrize(
    ("second_event", "second_outcome"),
    [("same event", "duplicate"), ("payment intent", "already_booked")],
)
def test_one_payment_delivered_twice_at_once_is_booked_once(
    committed_engine, shared_app, monkeypatch, second_event, second_outcome
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
    bodies = [checkout_completed("evt_twice", invoice_id, company_id)]
    if second_event == "same event":
        bodies.append(bodies[0])
    else:
        bodies.append(intent_succeeded("evt_intent", invoice_id, company_id))
    answers: list = []

    def deliver(body: str) -> None:
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
        deliveries = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
        for delivery in deliveries:
            delivery.start()
        _wait_for_lock_waiters(committed_engine, 2)
        holder.rollback()
    for delivery in deliveries:
        delivery.join(timeout=30)
        assert not delivery.is_alive()

    assert sorted(answers) == sorted([(200, "booked"), (200, second_outcome)])
    with Session(committed_engine) as check:
        assert check.scalar(select(func.count()).select_from(Payment)) == 1
        events = check.scalar(select(func.count()).select_from(StripeEvent))
        assert events == len(set(bodies))
        assert check.get(Invoice, invoice_id).status == "paid"

"""POST /webhooks/stripe: signed events book card payments and refunds, each event once."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import AuditEvent, InvoiceStatus, Payment, StripeEvent
from tests import factories
from tests.fake_stripe import (
    WEBHOOK_SECRET,
    charge_refunded,
    checkout_completed,
    event,
    intent_succeeded,
    signature,
)

D = Decimal


@pytest.fixture
def webhook(app, monkeypatch):
    """Post a body signed with the endpoint's secret (or the headers given)."""
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    client = app.test_client()

    def post(payload: str, headers: dict | None = None):
        return client.post(
            "/webhooks/stripe",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature(payload)} if headers is None else headers,
        )

    return post


@pytest.fixture
def invoice(db_session, users, customer):
    invoice = factories.make_issued_invoice(db_session, users["finance"], customer)  # 119.00
    db_session.commit()
    return invoice


def _payments(db_session, invoice) -> list[tuple]:
    db_session.expire_all()
    rows = db_session.scalars(
        select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id)
    )
    return [(p.amount, p.method, p.source, p.reference) for p in rows]


def _event(db_session, event_id: str) -> StripeEvent:
    db_session.expire_all()
    return db_session.scalars(select(StripeEvent).where(StripeEvent.event_id == event_id)).one()


def test_completed_checkout_books_a_card_payment(webhook, db_session, invoice):
    response = webhook(checkout_completed("evt_1", invoice.id, invoice.company_id))

    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "booked"}
    assert _payments(db_session, invoice) == [(D("119.00"), "card", "gateway", "pi_test_1")]
    db_session.refresh(invoice)
    assert invoice.status == InvoiceStatus.PAID and invoice.balance_amount == 0
    assert _event(db_session, "evt_1").detail == f"€119.00 paid by card for {invoice}."


def test_replayed_event_books_nothing_more(webhook, db_session, invoice):
    body = checkout_completed("evt_1", invoice.id, invoice.company_id, amount_total=5000)
    webhook(body)
    again = webhook(body)

    assert again.status_code == 200
    assert again.get_json()["outcome"] == "duplicate"
    assert _payments(db_session, invoice) == [(D("50.00"), "card", "gateway", "pi_test_1")]


def test_intent_success_after_the_completed_page_is_the_same_payment(webhook, db_session, invoice):
    webhook(checkout_completed("evt_1", invoice.id, invoice.company_id, amount_total=5000))
    second = webhook(
        intent_succeeded("evt_2", invoice.id, invoice.company_id, amount_received=5000)
    )

    assert second.get_json()["outcome"] == "already_booked"
    assert _payments(db_session, invoice) == [(D("50.00"), "card", "gateway", "pi_test_1")]


def test_intent_success_alone_books_the_payment(webhook, db_session, invoice):
    unpaid_page = checkout_completed(
        "evt_1", invoice.id, invoice.company_id, payment_status="unpaid"
    )
    assert webhook(unpaid_page).get_json()["outcome"] == "ignored"
    assert _payments(db_session, invoice) == []

    webhook(intent_succeeded("evt_2", invoice.id, invoice.company_id))
    assert _payments(db_session, invoice) == [(D("119.00"), "card", "gateway", "pi_test_1")]


@pytest.mark.parametrize(
    ("currency", "units"),
    # Stripe counts ISK in hundredths and MGA in whole units, unlike ISO 4217.
    [("ISK", 11900), ("MGA", 119)],
)
def test_amounts_are_read_in_the_units_stripe_counts_for_the_currency(
    webhook, db_session, users, customer, currency, units
):
    invoice = factories.make_issued_invoice(
        db_session, users["finance"], customer, currency=currency, exchange_rate=D("0.0070")
    )
    db_session.commit()
    paid = intent_succeeded(
        "evt_1", invoice.id, invoice.company_id, amount_received=units, currency=currency.lower()
    )
    assert webhook(paid).get_json()["outcome"] == "booked"
    assert [amount for amount, *_ in _payments(db_session, invoice)] == [D("119")]
    db_session.refresh(invoice)
    assert invoice.status == InvoiceStatus.PAID

    webhook(charge_refunded("evt_2", units // 119 * 19, currency=currency.lower()))
    assert [amount for amount, *_ in _payments(db_session, invoice)] == [D("119"), D("-19")]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Stripe-Signature": "t=1,v1=0000"},
        {"Stripe-Signature": "garbage"},
        "wrong secret",
        "too old",
    ],
)
def test_bad_signature_is_refused_and_books_nothing(webhook, db_session, invoice, headers):
    body = checkout_completed("evt_1", invoice.id, invoice.company_id)
    if headers == "wrong secret":
        headers = {"Stripe-Signature": signature(body, secret="whsec_someone_else")}
    elif headers == "too old":  # a captured request replayed after Stripe's 5 minutes
        headers = {"Stripe-Signature": signature(body, timestamp=1_000_000_000)}

    response = webhook(body, headers)

    assert response.status_code == 400
    assert _payments(db_session, invoice) == []
    assert db_session.scalars(select(StripeEvent)).all() == []


def test_signature_over_another_body_is_refused(webhook, db_session, invoice):
    body = checkout_completed("evt_1", invoice.id, invoice.company_id)
    signed_for_less = signature(body.replace("11900", "100"))
    assert webhook(body, {"Stripe-Signature": signed_for_less}).status_code == 400
    assert _payments(db_session, invoice) == []


def test_no_secret_configured_refuses_every_event(webhook, app, db_session, invoice):
    app.config["STRIPE_WEBHOOK_SECRET"] = ""
    body = checkout_completed("evt_1", invoice.id, invoice.company_id)
    assert webhook(body).status_code == 400
    assert _payments(db_session, invoice) == []


def _attention(db_session, event_id: str) -> tuple[StripeEvent, list[AuditEvent]]:
    record = _event(db_session, event_id)
    audits = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "stripe.needs_attention",
            AuditEvent.entity_type == "StripeEvent",
            AuditEvent.entity_id == str(record.id),
        )
    ).all()
    return record, list(audits)


def test_unknown_invoice_answers_200_and_needs_attention(webhook, db_session, invoice):
    response = webhook(checkout_completed("evt_1", 987654, invoice.company_id))

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "needs_attention"
    record, audits = _attention(db_session, "evt_1")
    assert record.detail == "The payment names invoice id '987654', which is not known here."
    assert [a.user_email for a in audits] == ["stripe"]
    assert db_session.scalars(select(Payment)).all() == []
    # Stripe delivers it again: still one record, still nothing booked.
    assert webhook(checkout_completed("evt_1", 987654, invoice.company_id)).status_code == 200
    assert len(_attention(db_session, "evt_1")[1]) == 1


def test_amount_in_another_currency_needs_attention_and_books_nothing(webhook, db_session, invoice):
    body = checkout_completed("evt_1", invoice.id, invoice.company_id, currency="usd")
    response = webhook(body)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "needs_attention"
    record, audits = _attention(db_session, "evt_1")
    assert record.invoice_id == invoice.id and record.company_id == invoice.company_id
    assert record.detail == (
        f"USD 119.00 paid by card for {invoice}, which is in EUR: book it by hand."
    )
    assert audits[0].company_id == invoice.company_id
    assert _payments(db_session, invoice) == []
    db_session.refresh(invoice)
    assert invoice.paid_amount == 0


def test_payment_beyond_the_open_balance_needs_attention(webhook, db_session, invoice):
    body = checkout_completed("evt_1", invoice.id, invoice.company_id, amount_total=20000)
    assert webhook(body).get_json()["outcome"] == "needs_attention"
    record, _ = _attention(db_session, "evt_1")
    assert record.detail == (
        "The payment (€200.00) is larger than the open balance (€119.00): keep the excess "
        "(€81.00) as customer credit, or correct the amount."
    )
    assert _payments(db_session, invoice) == []


def test_refunds_book_what_stripe_refunded_since_the_last_event(webhook, db_session, invoice):
    webhook(checkout_completed("evt_1", invoice.id, invoice.company_id))

    assert webhook(charge_refunded("evt_2", 1900)).get_json()["outcome"] == "booked"
    assert webhook(charge_refunded("evt_3", 11900)).get_json()["outcome"] == "booked"
    assert webhook(charge_refunded("evt_3", 11900)).get_json()["outcome"] == "duplicate"

    assert _payments(db_session, invoice) == [
        (D("119.00"), "card", "gateway", "pi_test_1"),
        (D("-19.00"), "card", "gateway", "ch_test_1"),
        (D("-100.00"), "card", "gateway", "ch_test_1"),
    ]
    db_session.refresh(invoice)
    assert invoice.paid_amount == 0 and invoice.balance_amount == D("119.00")


def test_refund_of_a_payment_never_booked_here_is_ignored(webhook, db_session, invoice):
    response = webhook(charge_refunded("evt_1", 500, payment_intent="pi_elsewhere"))
    assert response.get_json()["outcome"] == "ignored"
    assert db_session.scalars(select(Payment)).all() == []


def test_unhandled_event_type_answers_200(webhook, db_session):
    response = webhook(event("evt_1", "customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"


def test_webhook_needs_no_login_or_csrf_but_keeps_the_security_headers(
    webhook, db_session, invoice
):
    response = webhook(checkout_completed("evt_1", invoice.id, invoice.company_id))
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers
    assert "Set-Cookie" not in response.headers


def test_card_events_screen_shows_finance_what_needs_attention_in_their_companies(
    webhook, db_session, invoice, users, other_company, client_as
):
    other_customer = factories.make_customer(db_session, other_company)
    admin = users["admin"]
    elsewhere = factories.make_issued_invoice(db_session, admin, other_customer)
    db_session.commit()
    webhook(checkout_completed("evt_ours", invoice.id, invoice.company_id, currency="usd"))
    webhook(checkout_completed("evt_theirs", elsewhere.id, elsewhere.company_id, currency="usd"))
    webhook(checkout_completed("evt_nobody", 987654, invoice.company_id))

    page = client_as("finance").get("/admin/stripeevent/").get_data(as_text=True)

    assert "evt_ours" in page and "Needs attention" in page
    assert f"paid by card for {invoice}, which is in EUR: book it by hand." in page
    assert "evt_theirs" not in page and "evt_nobody" not in page
    everything = client_as("admin").get("/admin/stripeevent/").get_data(as_text=True)
    assert "evt_theirs" in everything and "evt_nobody" in everything


def test_payment_naming_the_wrong_company_needs_attention(webhook, db_session, invoice):
    response = webhook(checkout_completed("evt_1", invoice.id, invoice.company_id + 1))
    assert response.get_json()["outcome"] == "needs_attention"
    record, audits = _attention(db_session, "evt_1")
    assert record.detail.endswith(f"but {invoice} belongs to {invoice.company}.")
    assert len(audits) == 1
    assert _payments(db_session, invoice) == []

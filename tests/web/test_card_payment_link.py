"""Send from the invoice screen: the email of a company taking cards carries its pay link."""

import pytest
from sqlalchemy import select

from models import CheckoutSession, EmailMessage
from tests import factories
from tests.fake_stripe import SECRET_KEY, FakeStripe

from .test_invoice_flow import act


@pytest.fixture
def stripe_api(app, httpserver, monkeypatch) -> FakeStripe:
    for name, value in {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_API_BASE": httpserver.url_for("").rstrip("/"),
        "STRIPE_SUCCESS_URL": "https://example.com/thanks",
        "STRIPE_CANCEL_URL": "",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return FakeStripe.serve(httpserver)


def _issued(db_session, users, customer, company, cards: bool):
    company.is_card_payment_enabled = cards
    invoice = factories.make_issued_invoice(db_session, users["finance"], customer)
    db_session.commit()
    return invoice


def _email(db_session, invoice) -> EmailMessage:
    db_session.expire_all()
    return db_session.scalars(
        select(EmailMessage).where(EmailMessage.invoice_id == invoice.id)
    ).one()


def test_send_puts_the_pay_by_card_link_in_the_email(
    client_as, db_session, users, customer, company, stripe_api
):
    invoice = _issued(db_session, users, customer, company, cards=True)

    response = act(client_as("finance"), invoice, "send")

    assert response.status_code == 302
    body = _email(db_session, invoice).body_text
    assert "Pay by card: https://checkout.stripe.test/c/pay/cs_test_1" in body
    [sent] = stripe_api.requests
    assert sent["form"]["cancel_url"] == ["https://example.com/thanks"]
    assert sent["form"]["metadata[invoice_id]"] == [str(invoice.id)]


def test_send_without_card_payments_asks_stripe_nothing(
    client_as, db_session, users, customer, company, stripe_api
):
    invoice = _issued(db_session, users, customer, company, cards=False)

    act(client_as("finance"), invoice, "send")

    assert "Pay by card" not in _email(db_session, invoice).body_text
    assert stripe_api.requests == []
    assert db_session.scalars(select(CheckoutSession)).all() == []


def test_send_is_refused_with_the_reason_when_stripe_is_not_set_up(
    client_as, app, db_session, users, customer, company, monkeypatch
):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    invoice = _issued(db_session, users, customer, company, cards=True)
    client = client_as("finance")

    response = act(client, invoice, "send")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "STRIPE_SECRET_KEY or STRIPE_SUCCESS_URL is not set" in page
    db_session.expire_all()
    assert db_session.scalars(select(EmailMessage)).all() == []

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


def test_finance_creates_the_link_on_the_invoice_page_and_sees_it_there(
    client_as, db_session, users, customer, company, stripe_api
):
    invoice = _issued(db_session, users, customer, company, cards=True)
    client = client_as("finance")
    page = client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    assert "Create card payment link" in page

    response = act(client, invoice, "card-link")

    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    link = "https://checkout.stripe.test/c/pay/cs_test_1"
    assert f"Card payment link of {invoice.reference} (give it to the customer): {link}" in shown
    assert f'<a href="{link}"' in shown and "Stripe payment page</a> for €119.00" in shown
    act(client, invoice, "card-link")  # asked again: the same page
    assert len(stripe_api.requests) == 1


def test_support_may_not_create_a_card_link(
    client_as, db_session, users, customer, company, stripe_api
):
    invoice = _issued(db_session, users, customer, company, cards=True)
    client = client_as("support")
    page = client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    assert "Create card payment link" not in page

    response = act(client, invoice, "card-link")

    assert response.status_code == 403
    assert stripe_api.requests == []
    assert db_session.scalars(select(CheckoutSession)).all() == []


def test_no_card_line_on_the_page_of_a_company_without_cards(
    client_as, db_session, users, customer, company
):
    invoice = _issued(db_session, users, customer, company, cards=False)
    page = client_as("finance").get(f"/admin/invoice/details/?id={invoice.id}")
    assert "Pay by card" not in page.get_data(as_text=True)

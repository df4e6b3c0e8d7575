"""The "Pay by card" link: a Stripe Checkout page per open balance, asked of a local server
that answers like the Stripe API (pytest-httpserver)."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from backoffice.services.delivery import outbox
from backoffice.services.errors import DomainError
from backoffice.services.payments import ledger
from backoffice.services.payments.card.checkout import pay_link
from backoffice.services.payments.card.gateway import StripeSettings
from models import CheckoutSession, EmailMessage
from tests import factories
from tests.factories import ISSUE_DAY
from tests.fake_stripe import SECRET_KEY, FakeStripe


@pytest.fixture
def settings(httpserver) -> StripeSettings:
    return StripeSettings(
        secret_key=SECRET_KEY,
        api_base=httpserver.url_for("").rstrip("/"),
        success_url="https://example.com/paid",
        cancel_url="https://example.com/not-paid",
    )


@pytest.fixture
def card_company(session, company):
    company.is_card_payment_enabled = True
    session.flush()
    return company


@pytest.fixture
def invoice(session, finance, customer, card_company):
    return factories.make_issued_invoice(session, finance, customer)  # 119.00 EUR


@pytest.fixture
def stripe_api(httpserver) -> FakeStripe:
    return FakeStripe.serve(httpserver)


def test_checkout_page_carries_our_ids_and_the_balance_in_minor_units(
    session, finance, invoice, settings, stripe_api
):
    link = pay_link(session, finance, invoice, settings)

    assert link == "https://checkout.stripe.test/c/pay/cs_test_1"
    [sent] = stripe_api.requests
    form = sent["form"]
    assert sent["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert form["line_items[0][price_data][unit_amount]"] == ["11900"]
    assert form["line_items[0][price_data][currency]"] == ["eur"]
    assert form["metadata[invoice_id]"] == [str(invoice.id)]
    assert form["metadata[company_id]"] == [str(invoice.company_id)]
    assert form["payment_intent_data[metadata][invoice_id]"] == [str(invoice.id)]
    assert form["success_url"] == ["https://example.com/paid"]
    assert form["cancel_url"] == ["https://example.com/not-paid"]
    assert form["mode"] == ["payment"]


def test_same_open_balance_reuses_the_page_when_asked_again(
    session, finance, invoice, settings, stripe_api
):
    first = pay_link(session, finance, invoice, settings)
    again = pay_link(session, finance, invoice, settings)

    assert again == first
    assert len(stripe_api.requests) == 1


def test_new_page_for_the_new_balance_when_part_was_paid(
    session, finance, invoice, settings, stripe_api
):
    pay_link(session, finance, invoice, settings)
    ledger.record_payment(session, finance, invoice, "19.00", ISSUE_DAY)

    link = pay_link(session, finance, invoice, settings)

    assert link == "https://checkout.stripe.test/c/pay/cs_test_2"
    assert stripe_api.requests[1]["form"]["line_items[0][price_data][unit_amount]"] == ["10000"]
    amounts = session.scalars(
        select(CheckoutSession.amount).where(CheckoutSession.invoice_id == invoice.id)
    ).all()
    assert sorted(amounts) == [Decimal("100.00"), Decimal("119.00")]


def test_zero_decimal_currency_is_sent_in_whole_units(
    session, finance, customer, card_company, settings, stripe_api
):
    invoice = factories.make_issued_invoice(
        session, finance, customer, currency="JPY", exchange_rate=Decimal("0.0061")
    )
    pay_link(session, finance, invoice, settings)
    form = stripe_api.requests[0]["form"]
    assert form["line_items[0][price_data][currency]"] == ["jpy"]
    assert form["line_items[0][price_data][unit_amount]"] == ["119"]


@pytest.mark.parametrize(
    ("currency", "units"),
    [
        # Whole kronur and shillings (ISO 4217: no decimals), which Stripe's API still counts
        # in hundredths: 11900 is 119 ISK. ISO's exponent would charge 1.19 ISK.
        ("ISK", "11900"),
        ("UGX", "11900"),
        # Ariary: two decimals in ISO 4217, none in Stripe's API. ISO's would charge 100 times.
        ("MGA", "119"),
        ("KWD", "119000"),
    ],
)
def test_the_balance_is_sent_in_the_units_stripe_counts_for_its_currency(
    session, finance, customer, card_company, settings, stripe_api, currency, units
):
    invoice = factories.make_issued_invoice(
        session, finance, customer, currency=currency, exchange_rate=Decimal("0.0070")
    )
    pay_link(session, finance, invoice, settings)
    form = stripe_api.requests[0]["form"]
    assert form["line_items[0][price_data][currency]"] == [currency.lower()]
    assert form["line_items[0][price_data][unit_amount]"] == [units]


@pytest.mark.parametrize(
    ("currency", "paid", "why"),
    [
        ("MGA", "0.50", "Stripe charges MGA in whole units"),
        ("KWD", "0.005", "Stripe charges KWD in steps of 0.010"),
    ],
)
def test_a_balance_stripe_cannot_charge_exactly_gets_no_page_and_says_why(
    session, finance, customer, card_company, settings, stripe_api, currency, paid, why
):
    invoice = factories.make_issued_invoice(
        session, finance, customer, currency=currency, exchange_rate=Decimal("0.0070")
    )
    ledger.record_payment(session, finance, invoice, Decimal(paid), ISSUE_DAY)
    with pytest.raises(DomainError, match=why) as refused:
        pay_link(session, finance, invoice, settings)
    assert "record the payment by hand" in refused.value.message
    assert stripe_api.requests == []


def test_no_link_when_the_company_takes_no_cards(
    session, finance, customer, company, settings, stripe_api
):
    invoice = factories.make_issued_invoice(session, finance, customer)
    assert pay_link(session, finance, invoice, settings) is None
    assert stripe_api.requests == []


def test_no_link_for_a_paid_invoice(session, finance, invoice, settings, stripe_api):
    ledger.record_payment(session, finance, invoice, "119.00", ISSUE_DAY)
    assert pay_link(session, finance, invoice, settings) is None
    assert stripe_api.requests == []


def test_invoice_email_carries_the_pay_by_card_link(
    session, finance, invoice, settings, stripe_api
):
    message = outbox.queue_invoice_email(session, finance, invoice, stripe_settings=settings)

    link = "https://checkout.stripe.test/c/pay/cs_test_1"
    assert f"Pay by card: {link}" in message.body_text
    assert f'<a href="{link}">Pay by card</a>' in message.body_html


def test_an_invoice_no_card_can_pay_exactly_is_emailed_without_the_link(
    session, finance, customer, card_company, settings, stripe_api
):
    # The customer still gets the invoice and pays by transfer; nothing is asked of Stripe.
    invoice = factories.make_issued_invoice(
        session, finance, customer, currency="KWD", exchange_rate=Decimal("2.70")
    )
    ledger.record_payment(session, finance, invoice, Decimal("0.005"), ISSUE_DAY)
    message = outbox.queue_invoice_email(session, finance, invoice, stripe_settings=settings)

    assert invoice.reference in message.subject
    assert "Pay by card" not in message.body_text
    assert stripe_api.requests == []


def test_stripe_refusing_the_page_queues_no_email(session, finance, invoice, settings, httpserver):
    httpserver.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}},
        status=401,
    )
    with pytest.raises(DomainError) as refused:
        outbox.queue_invoice_email(session, finance, invoice, stripe_settings=settings)

    assert "Stripe did not create the card payment page" in refused.value.message
    assert "Invalid API Key provided" in refused.value.message
    assert session.scalars(select(EmailMessage)).all() == []
    assert session.scalars(select(CheckoutSession)).all() == []


def test_missing_key_is_named_before_anything_is_asked(session, finance, invoice, settings):
    unset = StripeSettings("", settings.api_base, settings.success_url, settings.cancel_url)
    with pytest.raises(DomainError, match="STRIPE_SECRET_KEY or STRIPE_SUCCESS_URL is not set"):
        pay_link(session, finance, invoice, unset)

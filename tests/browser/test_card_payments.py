"""Card payments as finance sees them: the company switch, the email's link, the payment
booked from Stripe's event and the event that needs a person. Screenshots go to
build/screenshots/ as test artifacts."""

from pathlib import Path

import requests
from sqlalchemy.orm import Session

from backoffice.services.delivery import outbox
from backoffice.services.payments.card.gateway import StripeSettings
from models import Role
from tests import factories
from tests.fake_stripe import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripe,
    checkout_completed,
    signature,
)

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _deliver(live_server: str, body: str) -> str:
    response = requests.post(
        live_server + "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": signature(body), "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200
    return response.json()["outcome"]


def test_finance_sees_the_card_payment_and_the_event_needing_attention(
    committed_engine, live_server, page, shared_app, httpserver, monkeypatch
):
    FakeStripe.serve(httpserver)
    settings = StripeSettings(
        SECRET_KEY, httpserver.url_for("").rstrip("/"), "https://example.com/thanks", ""
    )
    for name, value in {
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_SECRET_KEY": settings.secret_key,
        "STRIPE_API_BASE": settings.api_base,
        "STRIPE_SUCCESS_URL": settings.success_url,
    }.items():
        monkeypatch.setitem(shared_app.config, name, value)
    with Session(committed_engine) as session:
        company = factories.make_company(
            session, name="Nordlicht Software GmbH", is_card_payment_enabled=True
        )
        finance = factories.make_user(
            session, Role.FINANCE, companies=[company], email="fin@example.com"
        )
        factories.make_user(session, Role.ADMIN, email="root@example.com")
        customer = factories.make_customer(session, company, name="Müller & Söhne AG")
        paid = factories.make_issued_invoice(session, finance, customer)
        stranded = factories.make_issued_invoice(session, finance, customer)
        email = outbox.queue_invoice_email(session, finance, paid, stripe_settings=settings)
        session.commit()
        ids = (paid.id, stranded.id, company.id)
        html = email.body_html
        paid_number, stranded_number = paid.reference, stranded.reference
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.set_content(html)
    assert page.get_attribute("text=Pay by card", "href") == (
        "https://checkout.stripe.test/c/pay/cs_test_1"
    )
    page.screenshot(path=str(SCREENSHOTS / "card-invoice-email.png"))

    assert _deliver(live_server, checkout_completed("evt_paid", ids[0], ids[2])) == "booked"
    usd = checkout_completed("evt_usd", ids[1], ids[2], currency="usd")
    assert _deliver(live_server, usd) == "needs_attention"

    sign_in(page, live_server, "fin@example.com")
    page.goto(live_server + "/admin/stripeevent/")
    row = page.locator("tr", has_text="evt_usd")
    assert "Needs attention" in row.inner_text()
    assert "which is in EUR: book it by hand" in row.inner_text()
    assert stranded_number in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "card-events.png"), full_page=True)

    page.goto(live_server + "/admin/payment/")
    assert "pi_test_1" in page.locator("tr", has_text=paid_number).inner_text()
    page.screenshot(path=str(SCREENSHOTS / "card-payment-list.png"))

    page.goto(live_server + f"/admin/invoice/details/?id={ids[1]}")
    page.click("text=Create card payment link")
    link = page.locator("#card-link a")
    assert link.get_attribute("href") == "https://checkout.stripe.test/c/pay/cs_test_2"
    assert "for €119.00, until" in page.inner_text("#card-link")
    page.screenshot(path=str(SCREENSHOTS / "card-link-invoice-page.png"), full_page=True)

    page.context.clear_cookies()
    sign_in(page, live_server, "root@example.com")
    page.goto(live_server + f"/admin/company/edit/?id={ids[2]}")
    assert page.is_checked("#is_card_payment_enabled")
    page.screenshot(path=str(SCREENSHOTS / "card-company-setting.png"), full_page=True)

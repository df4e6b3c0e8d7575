"""The invoice page as a clerk reads it, and the delivery state its script polls."""

import re
from decimal import Decimal
from html import unescape

import pytest

from backoffice.services.delivery import documents
from models import EmailMessage, Role
from tests import factories
from tests.web.conftest import FAST_HASH, csrf_token, login


@pytest.fixture
def invoice(db_session, users, customer, vat19):
    vat7 = factories.make_tax_rate(db_session, "7")
    lines = [
        factories.line(vat19, "3", "120.00", description="Consulting"),
        factories.line(vat7, "2", "35.00", description="Handbook", unit="pcs"),
    ]
    issued = factories.make_issued_invoice(db_session, users["finance"], customer, lines)
    db_session.commit()
    return issued


def page_of(client, invoice) -> str:
    response = client.get(f"/admin/invoice/details/?id={invoice.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """What a person reads: the body's text, without tags, scripts or entities."""
    body = html[html.index("<h3") : html.rindex("<script")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def failed_email(db_session, invoice, error: str = "The mail server refused.") -> EmailMessage:
    message = EmailMessage(
        company_id=invoice.company_id,
        invoice_id=invoice.id,
        purpose="invoice",
        unique_key=f"invoice:{invoice.id}:1",
        recipients="ap@customer.example",
        subject=f"Invoice {invoice.reference}",
        body_text="",
        body_html="",
        status="failed",
        attempts=3,
        last_error=error,
    )
    db_session.add(message)
    db_session.commit()
    return message


def test_the_header_says_what_the_invoice_is_and_is_worth(client_as, invoice, customer):
    text = text_of(page_of(client_as("finance"), invoice))
    header = text[text.index(invoice.reference) : text.index("Send by email")]
    assert "issued" in header and customer.name in header
    assert f"Issued {invoice.issue_date.isoformat()}" in header
    assert f"Due {invoice.due_date.isoformat()}" in header
    # 360.00 + 70.00 net, 68.40 + 4.90 VAT
    assert "Total €503.30" in header and "Balance €503.30" in header


def test_values_are_formatted_for_people(client_as, invoice):
    html = page_of(client_as("finance"), invoice)
    text = text_of(html)
    assert "19 %" in text and "7 %" in text
    assert "19.0" not in text and "3.000" not in text  # no 19.00000000 rates, 3.000 quantities
    assert "+00:00" not in text  # no raw timestamps
    assert "€68.40" in text and "€4.90" in text and "€503.30" in text
    assert re.search(r"Issued \d{4}-\d\d-\d\d \d\d:\d\d UTC", text)


def test_empty_fields_are_left_out(client_as, db_session, invoice):
    text = text_of(page_of(client_as("finance"), invoice))
    for label in ("Notes", "Terms", "Purchase order", "Voided", "Exchange rate", "Discount"):
        assert label not in text, label
    assert "Corrects invoice" not in text and "None" not in text


def test_filled_fields_are_shown(client_as, db_session, users, customer, vat19):
    lines = [factories.line(vat19, "1", "100.00", discount_percent=Decimal("10"))]
    invoice = factories.make_issued_invoice(
        db_session,
        users["finance"],
        customer,
        lines,
        notes="Thank you for your order.",
        po_reference="PO-46048",
    )
    db_session.commit()
    text = text_of(page_of(client_as("finance"), invoice))
    assert "Purchase order PO-46048" in text and "Notes Thank you for your order." in text
    assert "Discount" in text and "10 %" in text


def test_actions_come_in_the_order_they_are_used(client_as, invoice):
    html = page_of(client_as("finance"), invoice)
    actions = html[html.index('id="invoice-actions"') :]
    order = ["Send by email", "Record payment", "Download PDF", "Credit note", "Void"]
    positions = [actions.index(label) for label in order]
    assert positions == sorted(positions)
    # The lines follow the actions: nothing else sits between them and the page's top.
    assert html.index('id="invoice-lines"') > html.index('id="invoice-actions"')


def test_void_sits_behind_a_second_step_and_a_confirmation(client_as, invoice):
    html = page_of(client_as("finance"), invoice)
    void = re.search(r'(?s)<details class="my-1" id="void">(.*?)</details>', html)
    assert void, "Void is not folded away"
    assert "<summary" in void.group(1) and "Void…" in void.group(1)
    assert f'data-confirm="Void {invoice.reference}? It keeps its number' in void.group(1)
    assert 'name="reason"' in void.group(1) and "required" in void.group(1)


def test_a_manager_sees_the_invoice_but_no_buttons(client_as, invoice):
    html = page_of(client_as("manager"), invoice)
    for label in ("Send by email", "Record payment", "Credit note", "Void", "Retry now"):
        assert label not in text_of(html), label
    assert "Download PDF" in html


def test_a_failed_email_shows_its_reason_and_retry_now(client_as, db_session, invoice):
    failed_email(db_session, invoice, "The mail server at 127.0.0.1:25 refused the connection.")
    html = page_of(client_as("finance"), invoice)
    delivery = text_of(html)
    delivery = delivery[delivery.index("Delivery") :]
    assert "Email to ap@customer.example failed Failed after 3 attempts" in delivery
    assert "The mail server at 127.0.0.1:25 refused the connection." in delivery
    retry = re.search(r'<form[^>]*id="delivery-retry"[^>]*>', html).group(0)
    assert "hidden" not in retry
    # Neither Send (it was sent once) nor Resend (it never arrived): Retry now is the way.
    assert "Send by email" not in html and ">Resend<" not in html


def test_the_delivery_state_is_json_for_the_page_to_poll(client_as, db_session, invoice):
    message = failed_email(db_session, invoice)
    response = client_as("finance").get(
        f"/admin/invoice/delivery/{invoice.id}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    state = response.get_json()
    assert state["pending"] is True  # the PDF is still to be rendered
    assert state["status"] == "issued"
    assert [(item["key"], item["state"], item["badge"]) for item in state["items"]] == [
        ("pdf", "pending", "rendering"),
        (f"email-{message.id}", "failed", "failed"),
    ]
    assert state["items"][1]["error"] == "The mail server refused."
    assert state["can_retry"] is True


def test_the_delivery_state_stops_pending_once_all_is_done(client_as, db_session, invoice):
    documents.record_failure(db_session, invoice.id, "the renderer could not lay it out")
    db_session.commit()
    state = client_as("finance").get(f"/admin/invoice/delivery/{invoice.id}").get_json()
    assert state["pending"] is False
    assert state["items"][0]["error"].startswith("The PDF could not be rendered:")


def test_a_manager_polls_the_state_but_may_not_retry(client_as, db_session, invoice):
    failed_email(db_session, invoice)
    state = client_as("manager").get(f"/admin/invoice/delivery/{invoice.id}").get_json()
    assert state["items"][1]["state"] == "failed"
    assert (state["may_retry"], state["can_retry"]) == (False, False)


def test_another_companys_staff_get_no_delivery_state(app, db_session, invoice, other_company):
    outsider = factories.make_user(
        db_session, Role.FINANCE, companies=[other_company], password_hash=FAST_HASH
    )
    db_session.commit()
    client = app.test_client()
    login(client, outsider.email)
    response = client.get(
        f"/admin/invoice/delivery/{invoice.id}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 404
    assert response.is_json and "ap@" not in response.get_data(as_text=True)


def test_the_delivery_state_asks_a_stranger_to_sign_in(app, invoice):
    response = app.test_client().get(
        f"/admin/invoice/delivery/{invoice.id}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 401 and response.is_json


def test_support_may_not_retry(client_as, db_session, invoice):
    message = failed_email(db_session, invoice)
    support = client_as("support")
    response = support.post(
        f"/admin/invoice/retry/{invoice.id}",
        data={"csrf_token": csrf_token(support, "/admin/account/")},
    )
    assert response.status_code == 403
    db_session.expire_all()
    assert db_session.get(EmailMessage, message.id).status == "failed"


def test_a_draft_offers_issue_and_no_delivery(client_as, db_session, users, customer, vat19):
    draft = factories.make_draft(db_session, users["finance"], customer, [factories.line(vat19)])
    db_session.commit()
    html = page_of(client_as("finance"), draft)
    assert '<h3 class="mb-0 mr-3">Draft</h3>' in html and ">Issue</button>" in html
    assert 'id="delivery"' not in html and "delivery_state.js" not in html
    assert "Download PDF" not in html and "Record payment" not in html


def test_a_paid_foreign_currency_invoice(client_as, db_session, users, company, vat19):
    from backoffice.services.payments import ledger

    customer = factories.make_customer(db_session, company, currency="USD")
    invoice = factories.make_issued_invoice(
        db_session,
        users["finance"],
        customer,
        [factories.line(vat19, "1", "100.00")],
        exchange_rate=Decimal("0.92"),
    )
    ledger.record_payment(db_session, users["finance"], invoice, "119.00", factories.ISSUE_DAY)
    db_session.commit()
    text = text_of(page_of(client_as("finance"), invoice))
    assert "paid" in text and "Paid $119.00" in text and "Balance $0.00" in text
    assert f"Exchange rate 1 USD = 0.92 {company.base_currency}" in text
    assert "Payments Date Amount Method Reference Note By" in text
    assert f"{factories.ISSUE_DAY.isoformat()} $119.00 bank transfer" in text
    assert "Void" not in text  # money moved: corrected by a credit note, never voided


def test_a_void_invoice_says_why_and_offers_nothing(client_as, db_session, users, invoice):
    from backoffice.services.invoicing import lifecycle

    lifecycle.void(db_session, users["finance"], invoice, "Wrong customer")
    db_session.commit()
    text = text_of(page_of(client_as("finance"), invoice))
    assert "void" in text and re.search(
        r"Voided \d{4}-\d\d-\d\d \d\d:\d\d UTC: Wrong customer", text
    )
    assert "Balance" not in text and "Send by email" not in text and "Credit note" not in text


def test_a_credit_note_names_the_invoice_it_corrects(client_as, db_session, users, invoice):
    from backoffice.services.invoicing import lifecycle

    note = lifecycle.credit_in_full(db_session, users["finance"], invoice, factories.ISSUE_DAY)
    db_session.commit()
    html = page_of(client_as("finance"), note)
    text = text_of(html)
    assert "Credit note from" in text and f"correcting {invoice.reference}" in text
    assert f'href="/admin/invoice/details/?id={invoice.id}"' in html
    assert "Balance" not in text and "Record payment" not in text

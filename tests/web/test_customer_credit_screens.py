"""Reversals and customer credit on the invoice and customer pages, as finance uses them."""

import html
from decimal import Decimal

import lxml.html
import pytest
from sqlalchemy import select

from backoffice.services.payments import customer_credit
from models import CustomerCreditEntry, Invoice, Payment

from .conftest import csrf_token, messages, snapshot
from .test_invoice_flow import act, create_draft, latest_invoice

D = Decimal


def _issued(client, db_session, customer, vat19) -> Invoice:
    create_draft(client, customer, vat19)  # 3 x 120.00 + 0.13 at 19 %: 428.55
    act(client, latest_invoice(db_session), "issue")
    return latest_invoice(db_session)


def act_on(client, invoice, path, **fields):
    """Post an invoice page's form to /admin/invoice/<path>, following to the page shown."""
    token = csrf_token(client, f"/admin/invoice/details/?id={invoice.id}")
    data = {"csrf_token": token, "version": str(invoice.version)} | fields
    return client.post(f"/admin/invoice/{path}", data=data, follow_redirects=True)


def _page(client, invoice) -> str:
    return client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)


def _fresh(db_session, invoice) -> Invoice:
    db_session.expire_all()
    return db_session.get(Invoice, invoice.id)


def test_overpayment_is_refused_then_kept_as_credit_and_applied_elsewhere(
    client_as, customer, vat19, db_session
):
    client = client_as("finance")
    first = _issued(client, db_session, customer, vat19)
    refused = act_on(client, first, f"pay/{first.id}", amount="500.00")
    assert "keep the excess (€71.45) as customer credit" in messages(refused.get_data(as_text=True))
    assert _fresh(db_session, first).paid_amount == 0

    paid = act_on(client, first, f"pay/{first.id}", amount="500.00", excess_to_credit="1")
    assert "€71.45 of it is kept as customer credit." in messages(paid.get_data(as_text=True))
    first = _fresh(db_session, first)
    assert (first.status, first.balance_amount) == ("paid", 0)

    second = _issued(client, db_session, customer, vat19)
    page = _page(client, second)
    assert "has €71.45 of customer credit that can pay this invoice" in page
    assert "Apply credit" in page
    act(client, second, "apply-credit", amount="71.45")
    second = _fresh(db_session, second)
    assert (second.status, second.balance_amount) == ("partially_paid", D("357.10"))
    assert "Apply credit" not in _page(client, second)  # nothing left to apply

    customer_page = client.get(f"/admin/customer/details/?id={customer.id}")
    text = customer_page.get_data(as_text=True)
    assert "Customer credit" in text and "No credit." in text
    assert "overpayment" in text and "applied" in text  # the ledger, line by line


def test_a_payment_is_reversed_with_a_reason_and_stays_on_record(
    client_as, customer, vat19, db_session
):
    client = client_as("finance")
    invoice = _issued(client, db_session, customer, vat19)
    act(client, invoice, "pay", amount="428.55", reference="TX-1")
    invoice = _fresh(db_session, invoice)
    payment = invoice.payments[0]
    assert invoice.status == "paid"

    before = snapshot(db_session)
    no_reason = act_on(client, invoice, f"reverse/{invoice.id}/{payment.id}", reason="  ")
    assert "Give a reason for the reversal." in messages(no_reason.get_data(as_text=True))
    assert snapshot(db_session) == before

    act_on(client, invoice, f"reverse/{invoice.id}/{payment.id}", reason="bounced")
    invoice = _fresh(db_session, invoice)
    assert (invoice.status, invoice.balance_amount) == ("issued", D("428.55"))
    page = _page(client, invoice)
    assert "reversed" in page and "bounced" in page and "<s>€428.55</s>" in page
    assert len(invoice.payments) == 2  # the payment and its reversal, nothing deleted


@pytest.mark.parametrize("role", ["support", "manager"])
def test_only_those_who_record_payments_reverse_apply_or_refund_credit(
    client_as, customer, vat19, db_session, users, role
):
    finance = client_as("finance")
    invoice = _issued(finance, db_session, customer, vat19)
    act(finance, invoice, "pay", amount="500.00", excess_to_credit="1")
    other = _issued(finance, db_session, customer, vat19)
    invoice = _fresh(db_session, invoice)
    payment = invoice.payments[0]

    support = client_as(role)
    assert "Reverse</button>" not in _page(support, invoice)
    page = _page(support, other)
    assert "of customer credit that can pay this invoice" in page and "Apply credit" not in page
    before = snapshot(db_session)
    token = csrf_token(support, "/admin/account/")
    attempts = [
        (f"/admin/invoice/reverse/{invoice.id}/{payment.id}", {"reason": "x"}),
        (f"/admin/invoice/apply-credit/{other.id}", {"amount": "1.00"}),
        (f"/admin/customercredit/refund/{customer.id}", {"currency": "EUR", "amount": "1.00"}),
    ]
    for path, data in attempts:
        response = support.post(path, data={"csrf_token": token, "version": "1"} | data)
        assert response.status_code == 403, path
    assert snapshot(db_session) == before


def test_customer_credit_is_refunded_from_the_customer_page(client_as, customer, vat19, db_session):
    client = client_as("finance")
    invoice = _issued(client, db_session, customer, vat19)
    act(client, invoice, "pay", amount="500.00", excess_to_credit="1")
    page = client.get(f"/admin/customer/details/?id={customer.id}").get_data(as_text=True)
    assert "€71.45" in page and "Refund</button>" in page

    token = csrf_token(client, "/admin/account/")
    url = f"/admin/customercredit/refund/{customer.id}"
    too_much = client.post(
        url,
        data={"csrf_token": token, "currency": "EUR", "amount": "71.46"},
        follow_redirects=True,
    )
    said = html.unescape(messages(too_much.get_data(as_text=True)))
    assert "larger than the customer's EUR credit (€71.45)" in said
    client.post(
        url,
        data={"csrf_token": token, "currency": "EUR", "amount": "71.45", "reference": "=CMD()"},
    )
    assert customer_credit.balances(db_session, customer.id) == {}
    refund = db_session.scalars(
        select(CustomerCreditEntry).where(CustomerCreditEntry.kind == "refunded")
    ).one()
    assert (refund.amount, refund.reference) == (D("-71.45"), "=CMD()")
    export = client.get("/admin/customercredit/export/csv/").get_data(as_text=True)
    assert "'=CMD()" in export and ",=CMD()" not in export


def test_a_refund_sent_twice_pays_the_credit_back_once(client_as, customer, vat19, db_session):
    # A double click (or a colleague on the same page) posts the form again: the second
    # refund was for the credit the page showed, which is no longer there.
    client = client_as("finance")
    invoice = _issued(client, db_session, customer, vat19)
    act(client, invoice, "pay", amount="500.00", excess_to_credit="1")
    page = client.get(f"/admin/customer/details/?id={customer.id}").get_data(as_text=True)
    [form] = [f for f in lxml.html.fromstring(page).forms if "/customercredit/refund/" in f.action]
    shown = dict(form.form_values()) | {"amount": "30.00"}

    url = f"/admin/customercredit/refund/{customer.id}"
    client.post(url, data=shown)
    again = client.post(url, data=shown, follow_redirects=True)

    said = html.unescape(messages(again.get_data(as_text=True)))
    assert "€41.45 now, not the €71.45 shown" in said
    assert customer_credit.balances(db_session, customer.id) == {"EUR": D("41.45")}


def test_a_paid_then_credited_invoice_gives_the_customer_credit(
    client_as, customer, vat19, db_session
):
    client = client_as("finance")
    invoice = _issued(client, db_session, customer, vat19)
    act(client, invoice, "pay", amount="428.55")
    act(client, _fresh(db_session, invoice), "credit", mode="full")
    invoice = _fresh(db_session, invoice)
    assert (invoice.status, invoice.balance_amount) == ("paid", 0)
    moved = db_session.scalars(
        select(Payment).where(Payment.invoice_id == invoice.id, Payment.amount < 0)
    ).one()
    assert moved.method == "customer_credit"
    page = client.get(f"/admin/customer/details/?id={customer.id}").get_data(as_text=True)
    assert "€428.55" in page and "credit note" in page


def test_ids_out_of_range_or_elsewhere_change_nothing(client_as, customer, vat19, db_session):
    client = client_as("finance")
    invoice = _issued(client, db_session, customer, vat19)
    other = _issued(client, db_session, customer, vat19)
    act(client, other, "pay", amount="10.00")
    elsewhere = _fresh(db_session, other).payments[0]
    before = snapshot(db_session)
    for payment_id in (2**31, elsewhere.id):
        page = act_on(client, invoice, f"reverse/{invoice.id}/{payment_id}", reason="x")
        assert "That payment is not on this invoice." in messages(page.get_data(as_text=True))
    token = csrf_token(client, "/admin/account/")
    response = client.post(
        f"/admin/customercredit/refund/{2**31}",
        data={"csrf_token": token, "currency": "EUR", "amount": "1"},
        follow_redirects=True,
    )
    assert "does not exist or is not yours" in messages(response.get_data(as_text=True))
    assert snapshot(db_session) == before

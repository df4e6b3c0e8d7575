"""The invoice lifecycle end to end through HTTP, as each role would use it."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import AuditEvent, Customer, Invoice, Payment

from .conftest import csrf_token


def create_customer(client, company, **fields):
    data = {
        "company": str(company.id),
        "name": "Łódź Logistyka Sp. z o.o.",
        "address": "ul. Piotrkowska 104",
        "postal_code": "90-001",
        "city": "Łódź",
        "country": "pl",
        "email": "ap@lodz.example",
        "vat_id": "",
        "currency": "eur",
        "payment_terms_days": "14",
        "language": "en",
        "csrf_token": csrf_token(client, "/admin/account/"),
    }
    return client.post("/admin/customer/new/", data=data | fields)


def create_draft(client, customer, tax_rate, **fields):
    data = {
        "customer": str(customer.id),
        "currency": "",
        "issue_date": "",
        "due_date": "",
        "po_reference": "PO-4711",
        "notes": "Thank you for your business.",
        "terms": "",
        "lines-0-description": "Consulting",
        "lines-0-quantity": "3",
        "lines-0-unit": "hour",
        "lines-0-unit_price": "120.00",
        "lines-0-discount_percent": "0",
        "lines-0-tax_rate": str(tax_rate.id),
        "lines-1-description": "Travel",
        "lines-1-quantity": "1",
        "lines-1-unit": "trip",
        "lines-1-unit_price": "0.125",
        "lines-1-discount_percent": "0",
        "lines-1-tax_rate": str(tax_rate.id),
        "csrf_token": csrf_token(client, "/admin/account/"),
    }
    return client.post("/admin/invoice/new/", data=data | fields)


def act(client, invoice, action, **fields):
    token = csrf_token(client, f"/admin/invoice/details/?id={invoice.id}")
    data = {"csrf_token": token, "version": str(invoice.version)} | fields
    return client.post(f"/admin/invoice/{action}/{invoice.id}", data=data)


def latest_invoice(db_session) -> Invoice:
    db_session.expire_all()
    return db_session.scalars(select(Invoice).order_by(Invoice.id.desc())).first()


@pytest.mark.parametrize("role", ["finance", "admin"])
def test_finance_creates_issues_and_gets_paid(role, client_as, company, vat19, db_session):
    client = client_as(role)
    assert create_customer(client, company).status_code == 302
    customer = db_session.scalars(select(Customer).where(Customer.city == "Łódź")).one()
    assert (customer.country, customer.currency) == ("PL", "EUR")

    assert create_draft(client, customer, vat19).status_code == 302
    draft = latest_invoice(db_session)
    assert draft.status == "draft" and draft.currency == "EUR"
    # 3 x 120.00 = 360.00 and 0.125 -> 0.13 half-up; 19 % of 360.13 = 68.4247 -> 68.42
    assert (draft.net_amount, draft.tax_amount, draft.total_amount) == (
        Decimal("360.13"),
        Decimal("68.42"),
        Decimal("428.55"),
    )
    page = client.get(f"/admin/invoice/details/?id={draft.id}").get_data(as_text=True)
    assert "€428.55" in page and "VAT breakdown" in page

    response = act(client, draft, "issue")
    assert response.status_code == 302
    issued = latest_invoice(db_session)
    assert issued.status == "issued"
    assert (
        issued.number == 1
        and issued.reference.startswith("INV-")
        and issued.reference.endswith("-000001")
    )
    assert (issued.due_date - issued.issue_date).days == 14

    assert act(client, issued, "pay", amount="200.00", method="bank_transfer").status_code == 302
    partly = latest_invoice(db_session)
    assert partly.status == "partially_paid" and partly.balance_amount == Decimal("228.55")
    assert act(client, partly, "pay", amount="228.55", method="card").status_code == 302
    paid = latest_invoice(db_session)
    assert paid.status == "paid" and paid.balance_amount == 0
    actions = db_session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "Invoice", AuditEvent.entity_id == str(paid.id)
        )
    ).all()
    assert {"create", "invoice.issue", "payment.record"} <= set(actions)


def test_issued_invoice_cannot_be_edited_through_the_form(
    client_as, company, customer, vat19, db_session
):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    invoice = latest_invoice(db_session)
    act(client, invoice, "issue")
    invoice = latest_invoice(db_session)
    response = create_draft(client, customer, vat19, notes="changed")  # a new draft is fine
    assert response.status_code == 302
    token = csrf_token(client, "/admin/invoice/new/")
    response = client.post(
        f"/admin/invoice/edit/?id={invoice.id}",
        data={"customer": str(customer.id), "notes": "rewritten", "csrf_token": token},
    )
    assert response.status_code == 302
    db_session.refresh(invoice)
    assert invoice.notes == "Thank you for your business." and invoice.status == "issued"


def test_support_drafts_but_cannot_issue_void_credit_or_pay(
    client_as, users, customer, vat19, db_session
):
    support = client_as("support")
    assert create_draft(support, customer, vat19).status_code == 302
    draft = latest_invoice(db_session)
    assert draft.status == "draft"
    page = support.get(f"/admin/invoice/details/?id={draft.id}").get_data(as_text=True)
    assert ">Issue<" not in page
    assert act(support, draft, "issue").status_code == 403
    assert latest_invoice(db_session).status == "draft"

    finance = client_as("finance")
    act(finance, draft, "issue")
    issued = latest_invoice(db_session)
    for action, fields in [
        ("void", {"reason": "typo"}),
        ("credit", {"mode": "full"}),
        ("pay", {"amount": "1.00"}),
    ]:
        assert act(support, issued, action, **fields).status_code == 403
    after = latest_invoice(db_session)
    assert (after.id, after.status, after.paid_amount) == (issued.id, "issued", 0)
    assert db_session.scalar(select(Payment).where(Payment.invoice_id == issued.id)) is None
    refusals = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "access.refused", AuditEvent.user_email == users["support"].email
        )
    ).all()
    assert len(refusals) == 4


def test_manager_reads_but_cannot_draft(client_as, customer, vat19, db_session):
    manager = client_as("manager")
    assert manager.get("/admin/invoice/").status_code == 200
    before = latest_invoice(db_session)
    assert create_draft(manager, customer, vat19).status_code == 403
    assert latest_invoice(db_session) == before


def test_void_keeps_the_number_and_refuses_after_payment(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    act(client, latest_invoice(db_session), "issue")
    invoice = latest_invoice(db_session)
    act(client, invoice, "void", reason="Wrong customer")
    voided = latest_invoice(db_session)
    assert voided.status == "void" and voided.reference == invoice.reference

    create_draft(client, customer, vat19)
    act(client, latest_invoice(db_session), "issue")
    paid = latest_invoice(db_session)
    act(client, paid, "pay", amount="10.00")
    paid = latest_invoice(db_session)
    response = act(client, paid, "void", reason="Too late")
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be voided" in follow
    assert latest_invoice(db_session).status == "partially_paid"


def test_full_credit_note_from_its_own_series(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    act(client, latest_invoice(db_session), "issue")
    invoice = latest_invoice(db_session)
    assert act(client, invoice, "credit", mode="full").status_code == 302
    note = latest_invoice(db_session)
    assert note.kind == "credit_note" and note.original_invoice_id == invoice.id
    assert note.reference.startswith("CN-") and note.number == 1
    db_session.refresh(invoice)
    assert invoice.credited_amount == invoice.total_amount and invoice.balance_amount == 0
    second = act(client, invoice, "credit", mode="full")
    assert "Nothing is left to credit" in client.get(second.headers["Location"]).get_data(
        as_text=True
    )


def test_stale_form_is_refused(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    draft = latest_invoice(db_session)
    response = client.post(
        f"/admin/invoice/issue/{draft.id}",
        data={
            "csrf_token": csrf_token(client, "/admin/account/"),
            "version": str(draft.version - 1),
        },
    )
    assert "changed since you opened it" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert latest_invoice(db_session).status == "draft"

"""Guards a reviewer asked for: stale forms, double clicks, moved records, unsafe prefixes."""

from decimal import Decimal

from sqlalchemy import select

from models import AuditEvent, Customer, NumberingSeries, Payment
from tests import factories

from .conftest import csrf_token, messages
from .test_invoice_flow import act, create_draft, latest_invoice


def test_saving_over_a_newer_version_of_a_draft_is_refused(client_as, customer, vat19, db_session):
    alice, bob = client_as("finance"), client_as("admin")
    create_draft(alice, customer, vat19)
    draft = latest_invoice(db_session)
    seen = draft.version
    line = draft.lines[0]

    def save(client, po):
        return client.post(
            f"/admin/invoice/edit/?id={draft.id}",
            data={
                "customer": str(customer.id),
                "currency": "EUR",
                "po_reference": po,
                "expected_version": str(seen),
                "lines-0-id": str(line.id),
                "lines-0-description": "Consulting",
                "lines-0-quantity": "1",
                "lines-0-unit_price": "10",
                "lines-0-discount_percent": "0",
                "lines-0-tax_rate": str(vat19.id),
                "csrf_token": csrf_token(client, "/admin/account/"),
            },
        )

    assert save(alice, "PO-ALICE").status_code == 302
    late = save(bob, "PO-BOB")
    assert "changed since you opened it" in messages(late.get_data(as_text=True))
    assert latest_invoice(db_session).po_reference == "PO-ALICE"


def test_a_double_clicked_payment_is_recorded_once(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    act(client, latest_invoice(db_session), "issue")
    invoice = latest_invoice(db_session)
    first = act(client, invoice, "pay", amount="100.00")
    second = act(client, invoice, "pay", amount="100.00")  # same version as the first click
    assert first.status_code == second.status_code == 302
    assert "changed since you opened it" in messages(
        client.get(second.headers["Location"]).get_data(as_text=True)
    )
    amounts = db_session.scalars(select(Payment.amount).where(Payment.invoice_id == invoice.id))
    assert list(amounts) == [Decimal("100.00")]


def test_a_customer_cannot_move_to_another_company(client_as, company, customer, db_session):
    admin = client_as("admin")
    other = factories.make_company(db_session, name="Andere AG")
    db_session.commit()
    response = admin.post(
        f"/admin/customer/edit/?id={customer.id}",
        data={
            "company": str(other.id),
            "name": customer.name,
            "country": "FR",
            "currency": "EUR",
            "payment_terms_days": "30",
            "language": "en",
            "csrf_token": csrf_token(admin, "/admin/account/"),
        },
    )
    assert "cannot move to another company" in messages(response.get_data(as_text=True))
    db_session.expire_all()
    assert db_session.get(Customer, customer.id).company_id == company.id


def test_a_series_prefix_cannot_carry_script(client_as, company, db_session):
    admin = client_as("admin")
    response = admin.post(
        "/admin/numberingseries/new/",
        data={
            "company": str(company.id),
            "code": "X",
            "kind": "invoice",
            "prefix": "'+alert(1)+'",
            "padding": "6",
            "csrf_token": csrf_token(admin, "/admin/account/"),
        },
    )
    assert "Use letters, digits" in messages(response.get_data(as_text=True))
    assert db_session.scalar(select(NumberingSeries).where(NumberingSeries.code == "X")) is None


def test_a_crafted_form_for_a_hidden_company_is_refused(client_as, users, customer, db_session):
    support = client_as("support")
    hidden = factories.make_company(db_session, name="Hidden GmbH")
    db_session.commit()
    response = support.post(
        "/admin/customer/new/",
        data={
            "company": str(hidden.id),
            "name": "Sneaky",
            "country": "DE",
            "currency": "EUR",
            "payment_terms_days": "30",
            "language": "en",
            "csrf_token": csrf_token(support, "/admin/account/"),
        },
    )
    # The scoped dropdown does not offer the company, so the form itself refuses it.
    assert "Not a valid choice" in messages(response.get_data(as_text=True))
    assert db_session.scalar(select(Customer).where(Customer.name == "Sneaky")) is None


def test_confirmation_texts_are_data_not_script(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    act(client, latest_invoice(db_session), "issue")
    page = client.get(f"/admin/invoice/details/?id={latest_invoice(db_session).id}")
    html = page.get_data(as_text=True)
    assert "onsubmit=" not in html and 'data-confirm="Void INV-' in html
    refused = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert refused is None

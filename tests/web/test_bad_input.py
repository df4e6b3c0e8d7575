"""Bad input gets a clear message and changes nothing."""

from decimal import Decimal

from sqlalchemy import func, select

from models import Customer, Invoice, Payment, TaxRate

from .conftest import csrf_token, messages
from .test_invoice_flow import act, create_customer, create_draft, latest_invoice


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def test_quantity_that_is_not_a_number(client_as, customer, vat19, db_session):
    client = client_as("finance")
    before = count(db_session, Invoice)
    response = create_draft(client, customer, vat19, **{"lines-0-quantity": "abc"})
    assert response.status_code == 200
    assert "Not a valid decimal value" in messages(response.get_data(as_text=True))
    assert count(db_session, Invoice) == before


def test_zero_quantity(client_as, customer, vat19, db_session):
    client = client_as("finance")
    before = count(db_session, Invoice)
    response = create_draft(client, customer, vat19, **{"lines-0-quantity": "0"})
    assert "Quantity must be greater than zero" in messages(response.get_data(as_text=True))
    assert count(db_session, Invoice) == before


def test_negative_unit_price(client_as, customer, vat19, db_session):
    client = client_as("finance")
    before = count(db_session, Invoice)
    response = create_draft(client, customer, vat19, **{"lines-0-unit_price": "-10.00"})
    assert "Unit price cannot be negative" in messages(response.get_data(as_text=True))
    assert count(db_session, Invoice) == before


def test_line_amount_too_large_for_the_books(client_as, customer, vat19, db_session):
    client = client_as("finance")
    before = count(db_session, Invoice)
    response = create_draft(
        client,
        customer,
        vat19,
        **{"lines-0-quantity": "1000000000", "lines-0-unit_price": "1000000"},
    )
    assert response.status_code == 200
    assert "Line 1: its amount is too large" in messages(response.get_data(as_text=True))
    assert count(db_session, Invoice) == before


def test_unknown_currency(client_as, company, customer, vat19, db_session):
    client = client_as("finance")
    before = count(db_session, Invoice)
    response = create_draft(client, customer, vat19, currency="XYZ")
    assert "Unknown currency" in messages(response.get_data(as_text=True))
    assert count(db_session, Invoice) == before
    response = create_customer(client, company, currency="EURO")
    assert "Unknown currency" in messages(response.get_data(as_text=True))
    assert db_session.scalar(select(Customer).where(Customer.city == "Łódź")) is None


def test_due_date_before_issue_date(client_as, customer, vat19, db_session):
    client = client_as("finance")
    before = count(db_session, Invoice)
    response = create_draft(client, customer, vat19, issue_date="2026-03-10", due_date="2026-03-01")
    assert "The due date cannot be before the issue date." in messages(
        response.get_data(as_text=True)
    )
    assert count(db_session, Invoice) == before


def test_vat_id_with_bad_checksum(client_as, company, db_session):
    client = client_as("support")
    response = create_customer(client, company, country="DE", vat_id="DE136695977")
    assert "is not valid" in messages(response.get_data(as_text=True))
    assert db_session.scalar(select(Customer).where(Customer.city == "Łódź")) is None
    assert create_customer(client, company, country="DE", vat_id="de 136695976").status_code == 302
    assert (
        db_session.scalar(select(Customer.vat_id).where(Customer.city == "Łódź")) == "DE136695976"
    )


def test_payment_larger_than_the_balance(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    act(client, latest_invoice(db_session), "issue")
    invoice = latest_invoice(db_session)
    for amount, expected in [
        ("100000", "larger than the open balance"),
        ("abc", "must be a number"),
        ("-5", "greater than zero"),
        ("1.001", "at most 2 decimals"),
    ]:
        response = act(client, invoice, "pay", amount=amount)
        assert expected in messages(client.get(response.headers["Location"]).get_data(as_text=True))
    assert latest_invoice(db_session).paid_amount == 0
    assert db_session.scalar(select(Payment).where(Payment.invoice_id == invoice.id)) is None


def test_credit_note_larger_than_what_is_left(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    act(client, latest_invoice(db_session), "issue")
    invoice = latest_invoice(db_session)

    act(client, invoice, "credit", mode="partial")
    partial = latest_invoice(db_session)
    assert partial.kind == "credit_note" and partial.status == "draft"
    token = csrf_token(client, "/admin/account/")
    line = partial.lines[0]
    response = client.post(
        f"/admin/invoice/edit/?id={partial.id}",
        data={
            "customer": str(customer.id),
            "currency": "EUR",
            "notes": partial.notes,
            "expected_version": str(partial.version),
            "lines-0-id": str(line.id),
            "lines-0-description": line.description,
            "lines-0-quantity": "1",
            "lines-0-unit": line.unit,
            "lines-0-unit_price": "10.00",
            "lines-0-discount_percent": "0",
            "lines-0-tax_rate": str(line.tax_rate_id),
            "del-lines-1": "y",
            "lines-1-id": str(partial.lines[1].id),
            "lines-1-description": "x",
            "lines-1-quantity": "1",
            "lines-1-unit_price": "1",
            "lines-1-discount_percent": "0",
            "lines-1-tax_rate": str(line.tax_rate_id),
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, messages(response.get_data(as_text=True))
    partial = latest_invoice(db_session)
    assert partial.total_amount == Decimal("11.90")
    act(client, partial, "issue")
    db_session.refresh(invoice)
    assert invoice.credited_amount == Decimal("11.90")

    # The next draft offers what is left at that rate; asking for a cent more is refused.
    act(client, invoice, "credit", mode="partial")
    too_much = latest_invoice(db_session)
    [rest] = too_much.lines
    assert rest.description == f"Rest of {invoice.reference}"
    response = client.post(
        f"/admin/invoice/edit/?id={too_much.id}",
        data={
            "customer": str(customer.id),
            "currency": "EUR",
            "notes": too_much.notes,
            "expected_version": str(too_much.version),
            "lines-0-id": str(rest.id),
            "lines-0-description": rest.description,
            "lines-0-quantity": "1",
            "lines-0-unit": rest.unit,
            "lines-0-unit_price": str(rest.unit_price + Decimal("0.01")),
            "lines-0-discount_percent": "0",
            "lines-0-tax_rate": str(rest.tax_rate_id),
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, messages(response.get_data(as_text=True))
    too_much = latest_invoice(db_session)
    response = act(client, too_much, "issue")
    text = messages(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "more than what is left to credit" in text
    assert latest_invoice(db_session).status == "draft"
    db_session.refresh(invoice)
    assert invoice.credited_amount == Decimal("11.90")


def test_deleting_the_first_line_renumbers_the_rest(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    draft = latest_invoice(db_session)
    first, second = draft.lines
    response = client.post(
        f"/admin/invoice/edit/?id={draft.id}",
        data={
            "customer": str(customer.id),
            "currency": "EUR",
            "expected_version": str(draft.version),
            "lines-0-id": str(first.id),
            "del-lines-0": "y",
            "lines-0-description": first.description,
            "lines-0-quantity": "3",
            "lines-0-unit_price": "120",
            "lines-0-discount_percent": "0",
            "lines-0-tax_rate": str(vat19.id),
            "lines-1-id": str(second.id),
            "lines-1-description": "Travel",
            "lines-1-quantity": "2",
            "lines-1-unit_price": "50",
            "lines-1-discount_percent": "0",
            "lines-1-tax_rate": str(vat19.id),
            "csrf_token": csrf_token(client, "/admin/account/"),
        },
    )
    assert response.status_code == 302, messages(response.get_data(as_text=True))
    draft = latest_invoice(db_session)
    assert [(line.position, line.description) for line in draft.lines] == [(1, "Travel")]
    assert draft.total_amount == Decimal("119.00")


def test_reverse_charge_rate_without_a_reason(client_as, db_session):
    client = client_as("admin")
    token = csrf_token(client, "/admin/taxrate/new/")
    form = {
        "name": "Reverse charge EU",
        "country": "DE",
        "category": "AE",
        "percentage": "0",
        "is_active": "y",
        "csrf_token": token,
    }
    response = client.post("/admin/taxrate/new/", data=form)
    assert "Reverse charge (AE) needs an exemption reason" in messages(
        response.get_data(as_text=True)
    )
    assert db_session.scalar(select(TaxRate).where(TaxRate.name == "Reverse charge EU")) is None

    response = client.post("/admin/taxrate/new/", data=form | {"exemption_code": "VATEX-EU-AE"})
    assert response.status_code == 302, messages(response.get_data(as_text=True))
    rate = db_session.scalar(select(TaxRate).where(TaxRate.name == "Reverse charge EU"))
    assert (rate.exemption_code, rate.exemption_reason) == ("VATEX-EU-AE", "Reverse charge")


def test_customer_email_that_smuggles_a_header(client_as, company, db_session):
    client = client_as("support")
    response = create_customer(client, company, email="victim@example.com\r\nBcc: spy@evil.example")
    assert "is not an email address" in messages(response.get_data(as_text=True))
    assert db_session.scalar(select(Customer).where(Customer.city == "Łódź")) is None
    response = create_customer(client, company, email="a@customer.example, B@Customer.Example")
    assert response.status_code == 302
    saved = db_session.scalar(select(Customer.email).where(Customer.city == "Łódź"))
    assert saved == "a@customer.example, B@customer.example"

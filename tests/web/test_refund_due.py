"""Money owed back to a customer is shown where finance looks: the invoice and the customer."""

from .test_invoice_flow import act, create_draft, latest_invoice


def test_a_paid_then_credited_invoice_shows_the_refund_due(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)  # 1 x 100.00 at 19 %
    act(client, latest_invoice(db_session), "issue")
    invoice = latest_invoice(db_session)
    act(client, invoice, "pay", amount="119.00")
    act(client, latest_invoice(db_session), "credit", mode="full")

    db_session.expire_all()
    page = client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    assert "refund due" in page
    assert "The customer is owed €119.00" in page
    assert 'value="refund" selected' in page and 'value="119.00"' in page  # the form is ready
    listing = client.get("/admin/invoice/").get_data(as_text=True)
    assert "refund due" in listing
    customer_page = client.get(f"/admin/customer/details/?id={customer.id}").get_data(as_text=True)
    assert "€119.00" in customer_page

    act(client, db_session.get(type(invoice), invoice.id), "pay", kind="refund", amount="119.00")
    db_session.expire_all()
    page = client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    assert "refund due" not in page

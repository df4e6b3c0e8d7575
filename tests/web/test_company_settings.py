"""The company settings screen: what an admin may change once the company has invoiced."""

import lxml.html
from sqlalchemy import select

from models import Company
from tests import factories

from .conftest import messages


def edit_company(client, company: Company, **changes: str):
    """Post the company's edit form as the screen shows it, with changes."""
    url = f"/admin/company/edit/?id={company.id}"
    page = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    [form] = [form for form in page.forms if "base_currency" in form.fields]
    data = dict(form.form_values()) | changes
    return client.post(url, data=data)


def base_currency(db_session, company: Company) -> str:
    db_session.expire_all()
    return db_session.scalar(select(Company.base_currency).where(Company.id == company.id))


def test_a_company_that_has_invoiced_keeps_its_base_currency(
    client_as, users, company, customer, vat19, db_session
):
    # Reports, exchange rates and the books' payloads are in the base currency: changing it
    # would relabel every past figure (119.00 EUR shown as 119 JPY).
    factories.make_issued_invoice(db_session, users["finance"], customer, [factories.line(vat19)])
    db_session.commit()
    response = edit_company(client_as("admin"), company, base_currency="JPY")

    assert "keeps its base currency" in messages(response.get_data(as_text=True))
    assert base_currency(db_session, company) == "EUR"


def test_a_company_without_invoices_may_change_its_base_currency(client_as, company, db_session):
    response = edit_company(client_as("admin"), company, base_currency="CHF")

    assert response.status_code == 302, messages(response.get_data(as_text=True))
    assert base_currency(db_session, company) == "CHF"

"""The product picker on draft lines: looked up as the user types, so a draft's form does not
grow with lines x catalogue, and only the user's companies' products are found."""

from sqlalchemy import select

from models import InvoiceLine
from tests import factories

from .conftest import csrf_token


def catalogue(session, company, count: int, prefix: str = "Catalogue item"):
    return [
        factories.make_product(session, company, name=f"{prefix} {n:02d}", code=f"C{n:02d}")
        for n in range(count)
    ]


def test_a_drafts_form_shows_the_chosen_products_not_the_catalogue_per_line(
    client_as, db_session, company, customer, vat19
):
    products = catalogue(db_session, company, 30)
    lines = [factories.line(vat19, product_id=products[7].id), factories.line(vat19)]
    clerk = factories.make_user(db_session, companies=[company])
    draft = factories.make_draft(db_session, clerk, customer, lines)
    db_session.commit()
    client = client_as("finance")

    page = client.get(f"/admin/invoice/edit/?id={draft.id}").get_data(as_text=True)
    assert "Catalogue item 07" in page
    assert "Catalogue item 08" not in page  # found by typing, not listed on every line

    form = {
        "customer": str(customer.id),
        "expected_version": str(draft.version),
        "csrf_token": csrf_token(client, "/admin/account/"),
    }
    for n, line in enumerate(draft.lines):
        form |= {
            f"lines-{n}-id": str(line.id),
            f"lines-{n}-product": str(products[n + 3].id),
            f"lines-{n}-description": line.description,
            f"lines-{n}-quantity": "2",
            f"lines-{n}-unit": line.unit,
            f"lines-{n}-unit_price": str(line.unit_price),
            f"lines-{n}-discount_percent": "0",
            f"lines-{n}-tax_rate": str(vat19.id),
        }
    saved = client.post(f"/admin/invoice/edit/?id={draft.id}", data=form)
    assert saved.status_code == 302
    db_session.expire_all()
    chosen = db_session.scalars(
        select(InvoiceLine.product_id).where(InvoiceLine.invoice_id == draft.id)
    )
    assert sorted(chosen) == [products[3].id, products[4].id]


def test_the_product_picker_finds_only_the_users_companies_products(
    client_as, db_session, company, other_company
):
    catalogue(db_session, company, 3, prefix="Widget ours")
    catalogue(db_session, other_company, 3, prefix="Widget theirs")
    db_session.commit()
    client = client_as("finance")

    found = client.get("/admin/invoice/ajax/lookup/?name=invoiceline-product&query=widget")
    assert found.status_code == 200
    names = sorted(name for _, name in found.get_json())
    assert names == ["C00 Widget ours 00", "C01 Widget ours 01", "C02 Widget ours 02"]

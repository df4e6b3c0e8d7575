"""Settings > Accounting export and `flask sync export`: the download finance imports."""

import csv
import io

from backoffice.services.invoicing import lifecycle
from backoffice.services.sync import mapping
from models import Role
from tests import factories

from .conftest import messages

PAGE = "/admin/accounting-export/"
Q1 = {"start": "2026-01-01", "end": "2026-03-31"}


def issue_and_map(db_session, company, customer, vat19):
    finance = factories.make_user(db_session, Role.FINANCE, companies=[company])
    invoice = factories.make_issued_invoice(
        db_session, finance, customer, [factories.line(vat19, "2", "12.50")]
    )
    note = lifecycle.credit_in_full(db_session, finance, invoice, factories.ISSUE_DAY)
    mapping.save_mapping(
        db_session,
        factories.make_user(db_session, Role.ADMIN),
        company.id,
        "xero",
        sales_account_code="200",
        tax_types={vat19.id: "OUTPUT2"},
        payment_accounts={},
    )
    db_session.commit()
    return invoice, note


def test_finance_downloads_the_xero_file_of_a_period(
    client_as, db_session, company, customer, vat19
):
    invoice, note = issue_and_map(db_session, company, customer, vat19)
    client = client_as("finance")
    assert "Download CSV" in client.get(PAGE).get_data(as_text=True)
    query = {"company_id": company.id, "provider": "xero", **Q1}
    response = client.get(PAGE, query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "xero-invoices-2026-01-01-2026-03-31.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["*InvoiceNumber"], row["*Quantity"]) for row in rows] == [
        (invoice.reference, "2"),
        (note.reference, "-2"),
    ]
    assert rows[0]["*ContactName"] == "Müller & Söhne AG" and rows[0]["*UnitAmount"] == "12.50"


def test_what_is_missing_is_told_on_the_screen(client_as, db_session, company, customer, vat19):
    finance = factories.make_user(db_session, Role.FINANCE, companies=[company])
    factories.make_issued_invoice(db_session, finance, customer, [factories.line(vat19)])
    db_session.commit()
    client = client_as("finance")
    page = client.get(PAGE, query_string={"company_id": company.id, "provider": "quickbooks", **Q1})
    text = messages(page.get_data(as_text=True))
    assert "Set the id of the Item that invoice lines sell in QuickBooks Online." in text
    assert f"Map the tax rate “{vat19}” to a QuickBooks Online tax type." in text
    bad = client.get(
        PAGE, query_string={"company_id": company.id, "provider": "xero", "start": "x"}
    )
    assert "Give the first date as YYYY-MM-DD." in messages(bad.get_data(as_text=True))


def test_other_companies_and_support_get_nothing(client_as, db_session, other_company):
    client = client_as("finance")
    page = client.get(PAGE, query_string={"company_id": other_company.id, "provider": "xero", **Q1})
    assert page.mimetype == "text/html" and other_company.name not in page.get_data(as_text=True)
    assert "Choose one of your companies." in messages(page.get_data(as_text=True))
    assert client_as("support").get(PAGE, query_string={"provider": "xero"}).status_code == 403


def test_cli_writes_the_quickbooks_file(app, db_session, company, customer, vat19, tmp_path):
    invoice, _ = issue_and_map(db_session, company, customer, vat19)
    mapping.save_mapping(
        db_session,
        factories.make_user(db_session, Role.ADMIN),
        company.id,
        "quickbooks",
        sales_account_code="Services",
        tax_types={vat19.id: "TAX"},
        payment_accounts={},
    )
    db_session.commit()
    out = tmp_path / "q1.csv"
    args = ["sync", "export", "--company", company.name, "--provider", "quickbooks"]
    period = ["--from", "2026-01-01", "--to", "2026-03-31"]
    result = app.test_cli_runner().invoke(args=[*args, *period, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 2
    assert rows[0]["InvoiceNo"] == invoice.reference and rows[0]["ItemAmount"] == "25.00"
    assert rows[1]["ItemAmount"] == "-25.00" and rows[0]["Item(Product/Service)"] == "Services"

    refused = app.test_cli_runner().invoke(
        args=[*args, "--from", "2026-03-31", "--to", "2026-01-01"]
    )
    assert refused.exit_code != 0 and "The period ends before it starts." in refused.output

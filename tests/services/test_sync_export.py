"""Offline export: the CSV files Xero and QuickBooks Online import, reconciled with the books."""

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle
from backoffice.services.money import round_money
from backoffice.services.sync import export, mapping
from models import Invoice, InvoiceLine, TaxRate
from tests import factories

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture
def quarter(session, finance, company):
    documents = factories.make_quarter_of_business(session, finance, company)
    # One more in the quarter with a discounted line: QuickBooks gets its amount alone.
    customer = documents["invoices"][0].customer
    rate = session.get(TaxRate, documents["invoices"][0].lines[0].tax_rate_id)
    discounted = factories.make_issued_invoice(
        session,
        finance,
        customer,
        [factories.line(rate, "3", "33.33", discount_percent="12.5", description="+SUM(A1)")],
        today=date(2026, 3, 10),
        issue_date=date(2026, 3, 10),
    )
    documents["invoices"].append(discounted)
    # Outside the quarter: not exported.
    factories.make_issued_invoice(
        session, finance, customer, today=date(2026, 4, 1), issue_date=date(2026, 4, 1)
    )
    return documents


def map_all(session, admin, company, provider: str) -> None:
    rates = session.scalars(
        select(TaxRate.id).join(InvoiceLine).join(Invoice).where(Invoice.company_id == company.id)
    ).all()
    mapping.save_mapping(
        session,
        admin,
        company.id,
        provider,
        sales_account_code="200",
        tax_types={rate: f"TAX{rate}" for rate in rates},
        payment_accounts={},
    )


def exported(session, company, provider: str) -> list[dict[str, str]]:
    checked = export.prepare(session, company, provider, *Q1)
    text = "".join(export.csv_chunks(export.rows(session, checked)))
    return list(csv.DictReader(io.StringIO(text)))


def by_document(rows, column: str) -> dict[str, list[dict[str, str]]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[column]].append(row)
    return grouped


def test_xero_and_quickbooks_rows_reconcile_with_every_issued_document_of_the_period(
    session, admin, company, quarter
):
    map_all(session, admin, company, "xero")
    rows = exported(session, company, "xero")
    assert list(rows[0]) == list(export.FORMATS["xero"].headers)
    documents = by_document(rows, "*InvoiceNumber")
    expected = quarter["invoices"] + quarter["notes"]  # neither the draft, the void nor April
    assert set(documents) == {document.reference for document in expected}
    for document in expected:
        lines = documents[document.reference]
        assert len(lines) == len(document.lines)
        net = Decimal(0)
        for row, line in zip(lines, document.lines, strict=True):
            quantity, price = Decimal(row["*Quantity"]), Decimal(row["*UnitAmount"])
            discount = Decimal(row["Discount"] or "0")
            amount = quantity * price * (1 - discount / 100)
            net += round_money(amount, document.currency)
            assert row["*TaxType"] == f"TAX{line.tax_rate_id}"
            assert row["*AccountCode"] == "200" and row["Currency"] == document.currency
        sign = -1 if document.kind == "credit_note" else 1
        assert net == sign * document.net_amount, document.reference
        assert lines[0]["*InvoiceDate"] == document.issue_date.strftime("%d/%m/%Y")
    # Text a spreadsheet would run is neutralised; negative numbers stay numbers.
    assert {row["*ContactName"] for row in rows} >= {'\'=HYPERLINK("http://x")'}
    assert "'+SUM(A1)" in {row["*Description"] for row in rows}
    note = quarter["notes"][0]
    assert documents[note.reference][0]["*Quantity"].startswith("-")
    assert documents[note.reference][0]["Reference"] == note.original_invoice.reference

    # The same quarter for QuickBooks Online (one fixture: building it is the slow part).
    check_quickbooks(session, admin, company, quarter)


def check_quickbooks(session, admin, company, quarter) -> None:
    map_all(session, admin, company, "quickbooks")
    rows = exported(session, company, "quickbooks")
    documents = by_document(rows, "InvoiceNo")
    for document in quarter["invoices"] + quarter["notes"]:
        lines = documents[document.reference]
        sign = -1 if document.kind == "credit_note" else 1
        assert sum(Decimal(row["ItemAmount"]) for row in lines) == sign * document.net_amount
        for row, line in zip(lines, document.lines, strict=True):
            # Written in the currency's minor units, exactly: JPY without decimals.
            assert row["ItemAmount"] == format(
                round_money(sign * line.net_amount, document.currency), "f"
            )
            if line.discount_percent:
                assert row["ItemQuantity"] == row["ItemRate"] == ""
            else:
                assert Decimal(row["ItemQuantity"]) * Decimal(row["ItemRate"]) == Decimal(
                    row["ItemAmount"]
                )
    jpy = next(d for d in quarter["invoices"] if d.currency == "JPY")
    assert "." not in documents[jpy.reference][0]["ItemAmount"]
    assert {row["Item(Product/Service)"] for row in rows} == {"200"}


def test_missing_mapping_and_bad_periods_are_told_before_anything_is_written(
    session, admin, finance, company, customer, vat19
):
    factories.make_issued_invoice(session, finance, customer, [factories.line(vat19)])
    with pytest.raises(DomainError) as missing:
        export.prepare(session, company, "xero", *Q1)
    assert "Set the sales account code that invoices post to in Xero." in missing.value.message
    assert "Map the tax rate" in missing.value.message
    assert "payments by" not in missing.value.message  # payments are not exported
    map_all(session, admin, company, "xero")
    with pytest.raises(DomainError, match="ends before it starts"):
        export.prepare(session, company, "xero", Q1[1], Q1[0])
    with pytest.raises(DomainError, match="Xero or QuickBooks"):
        export.prepare(session, company, "myob", *Q1)


def test_a_period_without_documents_is_a_header_alone(session, admin, company, customer, finance):
    map_all(session, admin, company, "xero")
    lifecycle.issue(session, finance, factories.make_draft(session, finance, customer), Q1[0])
    checked = export.prepare(session, company, "xero", date(2025, 1, 1), date(2025, 1, 31))
    assert len(list(export.rows(session, checked))) == 1

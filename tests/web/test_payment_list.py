"""The payments list: filtered by method, source and date, scoped, exported safely to CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from backoffice.services.payments import ledger, reversal
from models import PaymentSource
from tests import factories
from tests.factories import line

D = Decimal


def filter_arg(app, column: str, operation: str) -> str:
    """The list's URL argument for one of its filters, e.g. method "equals"."""
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "payment")
    for index, flt in enumerate(view._filters):
        if flt.column.key == column and str(flt.operation()) == operation:
            return f"flt0_{view.get_filter_arg(index, flt)}"
    raise AssertionError(f"no {operation!r} filter on {column}")


@pytest.fixture
def payments(db_session, users, company, customer, vat19):
    """Three payments of the company (one reversed) and one of another company."""
    finance = users["finance"]
    invoice = factories.make_issued_invoice(db_session, finance, customer, [line(vat19, "10")])
    ledger.record_payment(
        db_session, finance, invoice, "11.00", date(2026, 3, 3), method="card", reference="CARD-1"
    )
    ledger.record_payment(
        db_session,
        finance,
        invoice,
        "22.00",
        date(2026, 3, 10),
        reference="=HYPERLINK(evil)",
        source=PaymentSource.BANK_IMPORT.value,
    )
    bounced = ledger.record_payment(
        db_session, finance, invoice, "33.00", date(2026, 3, 20), method="cash", reference="CASH-1"
    )
    reversal.reverse_payment(db_session, finance, bounced, "counted twice", date(2026, 3, 21))
    stranger = factories.make_company(db_session)
    admin = users["admin"]  # sees every company
    theirs = factories.make_issued_invoice(
        db_session, admin, factories.make_customer(db_session, stranger), [line(vat19)]
    )
    ledger.record_payment(db_session, admin, theirs, "44.00", date(2026, 3, 4), reference="X-9")
    db_session.commit()


def _listed(client, query: str = "") -> str:
    response = client.get(f"/admin/payment/?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_filters_by_method_source_and_date(app, client_as, payments):
    client = client_as("finance")
    page = _listed(client)
    assert all(ref in page for ref in ("CARD-1", "HYPERLINK", "CASH-1"))
    assert "X-9" not in page  # another company's
    assert "<s>€33.00</s>" in page and "counted twice" in page

    by_card = _listed(client, f"{filter_arg(app, 'method', 'equals')}=card")
    assert "CARD-1" in by_card and "CASH-1" not in by_card and "HYPERLINK" not in by_card
    by_bank = _listed(client, f"{filter_arg(app, 'source', 'equals')}=bank_import")
    assert "HYPERLINK" in by_bank and "CARD-1" not in by_bank
    later = _listed(client, f"{filter_arg(app, 'payment_date', 'greater than')}=2026-03-15")
    assert "CASH-1" in later and "CARD-1" not in later and "HYPERLINK" not in later


def test_method_and_source_filters_offer_their_values_as_a_list(client_as, payments):
    page = _listed(client_as("manager"))  # no payment was made by direct debit or gateway
    assert '["direct_debit", "direct debit"]' in page and '["gateway", "gateway"]' in page


def test_csv_export_is_filtered_scoped_and_formula_safe(app, client_as, payments):
    client = client_as("manager")
    arg = filter_arg(app, "source", "equals")
    export = client.get(f"/admin/payment/export/csv/?{arg}=bank_import")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert len(rows) == 2  # the header and the one bank-imported payment
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert record["Reference"] == "'=HYPERLINK(evil)"
    assert (D(record["Amount"]), record["Invoice.Currency"]) == (D("22.00"), "EUR")

    everything = client.get("/admin/payment/export/csv/").get_data(as_text=True)
    assert "X-9" not in everything and "counted twice" in everything


def test_support_may_list_but_not_export(client_as, payments):
    client = client_as("support")
    assert "CARD-1" in _listed(client)
    assert client.get("/admin/payment/export/csv/").status_code == 403

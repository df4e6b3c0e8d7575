"""A quarter of business in three currencies, with partial and full credits and refunds."""

from datetime import date
from decimal import Decimal

import pytest

from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import ledger
from models import PaymentMethod
from tests import factories
from tests.factories import line

D = Decimal
TODAY = date(2026, 4, 15)


@pytest.fixture
def world(session, company, finance, vat19, vat7):
    """Invoices in EUR (the base), USD and JPY from January to March 2026, then credited,
    paid and refunded in part; returns every issued document."""
    eur = factories.make_customer(session, company, name='=HYPERLINK("http://x")')
    usd = factories.make_customer(session, company, name="Acme Inc", currency="USD")
    jpy = factories.make_customer(session, company, name="Kaisha KK", currency="JPY")

    def issue(customer, day, lines, rate=None):
        return factories.make_issued_invoice(
            session, finance, customer, lines, today=day, issue_date=day, exchange_rate=rate
        )

    jan = issue(eur, date(2026, 1, 10), [line(vat19, "3", "99.99"), line(vat7, "1", "10.05")])
    feb_usd = issue(
        usd,
        date(2026, 2, 5),
        [line(vat19, "2", "333.33"), line(vat7, "1", "45.55")],
        D("0.91234567"),
    )
    feb_jpy = issue(jpy, date(2026, 2, 20), [line(vat19, "7", "1234")], D("0.00612345"))
    mar = issue(eur, date(2026, 3, 2), [line(vat19, "1", "1000.00")])
    settled = issue(eur, date(2026, 3, 3), [line(vat7, "4", "12.50")])

    # A partial credit of the USD invoice: one of the two 19 % units.
    note = lifecycle.create_credit_note(session, finance, feb_usd)
    factories.edit_draft(session, finance, note, factories.set_quantity(0, "1"))
    factories.edit_draft(session, finance, note, lambda draft: draft.lines.pop(1))
    lifecycle.issue(session, finance, note, date(2026, 3, 4))
    full = lifecycle.credit_in_full(session, finance, settled, date(2026, 3, 5))

    ledger.record_payment(session, finance, jan, "100.00", date(2026, 2, 1), method="card")
    ledger.record_payment(session, finance, mar, D(mar.total_amount), date(2026, 3, 20))
    ledger.record_refund(session, finance, mar, "19.00", date(2026, 3, 25))
    ledger.record_payment(
        session, finance, feb_jpy, "5000", date(2026, 3, 1), method=PaymentMethod.CASH.value
    )
    # A draft and a void invoice count nowhere.
    factories.make_draft(session, finance, eur, [line(vat19, "1", "500.00")])
    void = issue(eur, date(2026, 3, 6), [line(vat19, "1", "777.00")])
    lifecycle.void(session, finance, void, "Typo")
    session.flush()
    return {"invoices": [jan, feb_usd, feb_jpy, mar, settled], "notes": [note, full]}

"""Every report figure reconciles with the documents behind it, across currencies and credits."""

from datetime import date
from decimal import Decimal

import pytest

from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.money import round_money
from backoffice.services.payments import customer_credit, ledger
from backoffice.services.reports import aging, dso, payments, revenue, tax
from backoffice.services.reports.periods import Period
from models import Payment
from tests import factories

from .conftest import TODAY

D = Decimal
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))


def base(amount: Decimal, document) -> Decimal:
    return round_money(amount * document.exchange_rate, "EUR")


def test_aging_totals_are_the_open_balances_per_currency(session, finance, company, world):
    report = aging.aging(session, finance, company.id, TODAY)

    open_invoices = [i for i in world["invoices"] if i.balance_amount > 0]
    expected = {}
    for invoice in open_invoices:
        expected[invoice.currency] = expected.get(invoice.currency, 0) + invoice.balance_amount
    assert {row.currency: row.total for row in report.totals} == expected
    assert sum(row.total for row in report.rows) == sum(expected.values())
    assert report.total_in_base == sum(base(i.balance_amount, i) for i in open_invoices)
    # Jan 10 + 30 days: due Feb 9, 65 days past due on Apr 15.
    eur = next(row for row in report.totals if row.currency == "EUR")
    assert eur.amounts["days_61_90"] == world["invoices"][0].balance_amount
    assert eur.amounts["current"] == 0


def test_revenue_is_issued_totals_net_of_credit_notes_in_the_base_currency(
    session, finance, company, world
):
    report = revenue.revenue(session, finance, company.id, Q1)

    invoices, notes = world["invoices"], world["notes"]
    for name in ("net_amount", "total_amount"):
        expected = sum(base(getattr(i, name), i) for i in invoices) - sum(
            base(getattr(n, name), n) for n in notes
        )
        assert report.sum("net" if name == "net_amount" else "total") == expected
    march = report.rows[2]
    assert march.label == "2026-03" and march.credit_notes == 2 and march.invoices == 2
    assert [row.invoices for row in report.rows] == [1, 2, 2]  # the draft and the void: never


def test_tax_report_is_the_stored_tax_rows_less_credit_notes(session, finance, company, world):
    report = tax.tax_report(session, finance, company.id, Q1, "quarter")

    expected: dict[Decimal, list[Decimal]] = {}
    for document, sign in [(i, 1) for i in world["invoices"]] + [(n, -1) for n in world["notes"]]:
        for row in document.tax_totals:
            figures = expected.setdefault(row.percentage, [D(0), D(0)])
            figures[0] += sign * base(row.taxable_amount, document)
            figures[1] += sign * base(row.tax_amount, document)
    assert {row.percentage: [row.net_taxable, row.net_tax] for row in report.rows} == expected
    assert {row.label for row in report.rows} == {"2026 Q1"}


def test_payments_report_sums_payments_less_refunds_by_method(session, finance, company, world):
    report = payments.payments_report(session, finance, company.id, Q1)

    booked = session.query(Payment).all()
    assert report.sum("net") == sum(base(p.amount, p.invoice) for p in booked)
    assert report.sum("refunded") == D("19.00")
    assert {row.method for row in report.rows} == {"bank_transfer", "card", "cash"}


def test_dso_ends_on_what_customers_owe(session, finance, company, world):
    report = dso.dso(session, finance, company.id, Q1)

    owed = world_owed(session, world)
    assert report.opening == 0
    assert report.rows[-1].receivables == owed
    assert abs(owed - sum(base(i.balance_amount, i) for i in world["invoices"])) <= D("0.03")
    january = report.rows[0]
    assert january.dso == (january.receivables / january.sales * 31).quantize(D("0.1"))


def world_owed(session, world) -> Decimal:
    """Billed less credited less paid, each converted on its own (a payment at its invoice's
    rate), so converted balances may differ from this by rounding cents."""
    return (
        sum(base(i.total_amount, i) for i in world["invoices"])
        - sum(base(n.total_amount, n) for n in world["notes"])
        - sum(base(p.amount, p.invoice) for p in session.query(Payment))
    )


def test_csv_neutralises_formulas_but_keeps_negative_numbers(session, finance, company, world):
    from backoffice.services.reports.exports import to_csv

    csv_text = to_csv(aging.aging_table(aging.aging(session, finance, company.id, TODAY)))
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    rows = revenue.revenue_table(revenue.revenue(session, finance, company.id, Q1))
    rows.add("-3", D("-1.50"))
    assert "'-3,-1.50" in to_csv(rows)


def test_reports_are_refused_to_support_and_to_other_companies(session, support, finance, company):
    with pytest.raises(PermissionDenied):
        revenue.revenue(session, support, company.id, Q1)
    other = factories.make_company(session)
    with pytest.raises(PermissionDenied):
        aging.aging(session, finance, other.id, TODAY)


def test_a_period_typed_wrong_is_refused_with_a_message():
    from backoffice.services.reports.periods import parse_period

    with pytest.raises(DomainError, match="2026-03-31"):
        parse_period("", "31/03/2026", "2026-04-30", TODAY, "this_month")
    with pytest.raises(DomainError, match="ends before"):
        parse_period("", "2026-04-30", "2026-04-01", TODAY, "this_month")
    with pytest.raises(DomainError, match="Unknown period"):
        parse_period("next_decade", "", "", TODAY, "this_month")
    assert parse_period("last_month", "", "", TODAY, "this_month") == Period(
        date(2026, 3, 1), date(2026, 3, 31)
    )


def test_another_companys_documents_never_count(session, admin, finance, company, world):
    before = revenue.revenue(session, finance, company.id, Q1).sum("total")
    other = factories.make_company(session)
    stranger = factories.make_customer(session, other)
    invoice = factories.make_issued_invoice(
        session, admin, stranger, today=date(2026, 3, 10), issue_date=date(2026, 3, 10)
    )
    assert revenue.revenue(session, finance, company.id, Q1).sum("total") == before
    assert revenue.revenue(session, admin, other.id, Q1).sum("total") == invoice.total_amount
    owed = {row.currency: row.total for row in aging.aging(session, admin, other.id, TODAY).totals}
    assert owed == {"EUR": invoice.total_amount}


def test_credit_kept_and_applied_is_not_money_received_twice(session, finance, company, world):
    """120 paid on a 100 invoice, 20 kept as credit and later paying another invoice: the
    bank saw 120 once; receivables drop by what was paid, credit included."""
    customer = factories.make_customer(session, company, name="Overpaid GmbH")
    rate = factories.make_tax_rate(session, "0")

    def issue(day):
        lines = [factories.line(rate, "1", "100.00")]
        return factories.make_issued_invoice(
            session, finance, customer, lines, today=day, issue_date=day
        )

    before = payments.payments_report(session, finance, company.id, Q1).sum("net")
    owed_before = world_owed(session, world)
    first = issue(date(2026, 3, 10))
    ledger.record_payment(
        session, finance, first, "120.00", date(2026, 3, 11), excess_to_credit=True
    )
    received = payments.payments_report(session, finance, company.id, Q1).sum("net")
    assert received == before + D("120.00")  # not 100: the credit kept came from the bank
    second = issue(date(2026, 3, 12))
    customer_credit.apply_credit(session, finance, second, None, date(2026, 3, 13))

    assert payments.payments_report(session, finance, company.id, Q1).sum("net") == before + D(
        "120.00"
    )
    assert (first.balance_amount, second.balance_amount) == (0, D("80.00"))
    owed = dso.dso(session, finance, company.id, Q1).rows[-1].receivables
    assert owed == owed_before + D("80.00")

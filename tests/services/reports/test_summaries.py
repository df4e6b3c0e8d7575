"""The report summaries (migration 0025) hold what the documents add up, after every change."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import customer_credit, ledger, reversal
from backoffice.services.reports import aging, customers, dso, payments, revenue, tax
from backoffice.services.reports.aging import BALANCE
from backoffice.services.reports.documents import in_base, open_books, settle_summaries
from backoffice.services.reports.periods import EARLIEST, Period
from models import (
    Invoice,
    ReportMonthCustomers,
    ReportMonthDocuments,
    ReportMonthPayments,
    ReportMonthTaxes,
    ReportOpenCustomers,
    ReportOpenDue,
    Role,
    User,
)
from tests import factories
from tests.factories import line
from tests.services.test_credit_concurrency import _race

from .conftest import TODAY

D = Decimal
SUMMARIES = (
    ReportMonthDocuments,
    ReportMonthCustomers,
    ReportMonthTaxes,
    ReportMonthPayments,
    ReportOpenCustomers,
    ReportOpenDue,
)
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


def _kept(session: Session, company_id: int) -> dict[str, set[tuple]]:
    """Every summary row of the company but those that add up to nothing."""
    rows = {}
    for model in SUMMARIES:
        table = model.__table__
        keys = {column.name for column in table.primary_key}
        query = select(table).where(table.c.company_id == company_id)
        rows[table.name] = {
            tuple(row)
            for row in session.execute(query).mappings()
            if any(value != 0 for name, value in row.items() if name not in keys)
        }
    return rows


def _rebuilt(session: Session, company_id: int) -> dict[str, set[tuple]]:
    """The rows recomputed from the documents, without keeping them."""
    nested = session.begin_nested()
    session.execute(text("SELECT report_summaries_rebuild(:company)"), {"company": company_id})
    rows = _kept(session, company_id)
    nested.rollback()
    return rows


def assert_summaries_hold(session: Session, company_id: int) -> None:
    session.flush()
    settle_summaries(session)
    kept = _kept(session, company_id)
    assert kept == _rebuilt(session, company_id)
    assert kept["report_month_documents"], "nothing was summarised at all"


def _same(session: Session, summed, added) -> None:
    assert set(session.execute(summed)) == set(session.execute(added))


def assert_reports_read_the_same(session: Session, user: User, company_id: int) -> None:
    """Each report's query over the summaries gives the rows of its query over documents."""
    books = open_books(session, user, company_id)
    for period in (Q1, YEAR):
        for grain in ("month", "quarter"):
            for report in (revenue, tax, payments):
                _same(
                    session,
                    report._summed(books, period, grain),
                    report._added(books, period, grain),
                )
        by_revenue = customers.top_customers(session, user, company_id, period).by_revenue
        shifted = Period(period.start, date(2026, 12, 30))  # not whole months: the documents
        detailed = customers.top_customers(session, user, company_id, shifted).by_revenue
        if period == YEAR:
            assert by_revenue == detailed
    for day in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1), date(2027, 1, 1)):
        assert dso._summed_before(session, books, day) == dso._added_before(session, books, day)
    everything = Period(EARLIEST, date(2026, 12, 31))
    for as_of in (TODAY, date(2026, 3, 10), date(2026, 7, 1)):
        summed = aging.aging(session, user, company_id, as_of, None, page=None)
        added = aging.aging(session, user, company_id, as_of, everything, page=None)
        assert summed.rows == added.rows
        assert summed.totals == added.totals
        assert summed.page.total == added.page.total
    everyone = customers._added(in_base(BALANCE, books), aging.open_invoices(books, None))
    debtors = customers._ranked(session, everyone, 20)
    assert customers.top_debtors(session, user, company_id, None, 20) == debtors
    for day in (date(2026, 3, 10), TODAY, date(2099, 1, 1)):
        overdue = [*aging.open_invoices(books, None), Invoice.due_date < day]
        past_due = customers._ranked(session, customers._added(in_base(BALANCE, books), overdue), 2)
        assert customers.top_debtors(session, user, company_id, day, 2) == past_due


def test_summaries_follow_every_kind_of_change(session, company, finance):
    vat19, vat7 = factories.make_tax_rate(session, "19"), factories.make_tax_rate(session, "7")
    eur = factories.make_customer(session, company)
    usd = factories.make_customer(session, company, currency="USD")
    jpy = factories.make_customer(session, company, currency="JPY")

    def issue(customer, day, lines, rate=None) -> Invoice:
        return factories.make_issued_invoice(
            session, finance, customer, lines, today=day, issue_date=day, exchange_rate=rate
        )

    jan = issue(eur, date(2026, 1, 10), [line(vat19, "3", "99.99"), line(vat7, "1", "10.05")])
    feb_usd = issue(
        usd, date(2026, 2, 5), [line(vat19, "2", "333.33"), line(vat7, "1", "45.55")], D("0.9123")
    )
    feb_jpy = issue(jpy, date(2026, 2, 20), [line(vat19, "7", "1234")], D("0.00612345"))
    mar = issue(eur, date(2026, 3, 2), [line(vat19, "1", "1000.00")])
    assert_summaries_hold(session, company.id)

    note = lifecycle.create_credit_note(session, finance, feb_usd)
    factories.edit_draft(session, finance, note, factories.set_quantity(0, "1"))
    factories.edit_draft(session, finance, note, factories.remove_line(1))
    assert_summaries_hold(session, company.id)  # a draft counts nowhere
    lifecycle.issue(session, finance, note, date(2026, 3, 4))
    assert_summaries_hold(session, company.id)

    settled = issue(eur, date(2026, 3, 3), [line(vat7, "4", "12.50")])
    lifecycle.credit_in_full(session, finance, settled, date(2026, 3, 5))
    assert_summaries_hold(session, company.id)

    paid = ledger.record_payment(session, finance, jan, "100.00", date(2026, 2, 1), method="card")
    ledger.record_payment(session, finance, mar, mar.total_amount, date(2026, 3, 20))
    ledger.record_refund(session, finance, mar, "19.00", date(2026, 3, 25))
    ledger.record_payment(session, finance, feb_jpy, "5000", date(2026, 3, 1), method="cash")
    assert_summaries_hold(session, company.id)

    # Overpaid: the excess goes to customer credit, then pays another invoice.
    apr = issue(eur, date(2026, 3, 28), [line(vat19, "1", "50.00")])
    ledger.record_payment(session, finance, jan, "500.00", date(2026, 3, 30), excess_to_credit=True)
    customer_credit.apply_credit(session, finance, apr, None, date(2026, 3, 31))
    assert_summaries_hold(session, company.id)

    reversal.reverse_payment(session, finance, paid, "bounced", date(2026, 4, 2))
    lifecycle.mark_sent(session, finance, feb_jpy)
    void = issue(eur, date(2026, 3, 29), [line(vat19, "1", "777.00")])
    assert_summaries_hold(session, company.id)
    lifecycle.void(session, finance, void, "Typo")
    assert_summaries_hold(session, company.id)

    assert_reports_read_the_same(session, finance, company.id)


def test_concurrent_payments_lose_no_update(committed_engine: Engine):
    with Session(committed_engine) as setup:
        company = factories.make_company(setup)
        user = factories.make_user(setup, Role.FINANCE, companies=[company])
        customer = factories.make_customer(setup, company)
        rate = factories.make_tax_rate(setup, "19")
        ids = [
            factories.make_issued_invoice(setup, user, customer, [line(rate, "1")]).id
            for _ in range(2)
        ]
        setup.commit()
        company_id, user_id, customer_id = company.id, user.id, customer.id

    def pay(invoice_id: int):
        def run(session: Session) -> None:
            invoice = session.get(Invoice, invoice_id)
            # The same customer, due date and payment month: the same summary rows, and a
            # month that has none yet, so both insert the same new row.
            ledger.record_payment(session, session.get(User, user_id), invoice, "40.00", TODAY)
            settle_summaries(session)  # the first one's commit-time work, done early

        return run

    _race(committed_engine, pay(ids[0]), pay(ids[1]))
    with Session(committed_engine) as check:
        owed = check.get(ReportOpenCustomers, (company_id, customer_id))
        assert (owed.invoices, owed.balance_base) == (2, 2 * (D("119.00") - D("40.00")))
        month = (company_id, date(2026, 4, 1), "bank_transfer", "EUR")
        assert check.get(ReportMonthPayments, month).payments == 2
        assert_summaries_hold(check, company_id)

"""bench/seed_large.py: a small seed holds what the app relies on at a million invoices."""

import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from backoffice import demo_data
from backoffice.services import users
from backoffice.services.invoicing import drafts, lifecycle
from backoffice.services.invoicing.drafts import LineInput
from backoffice.services.invoicing.numbering import format_reference
from backoffice.services.invoicing.pricing import terms_of
from backoffice.services.invoicing.status import derive_status
from backoffice.services.invoicing.totals import totals_of_lines
from bench.seed_large import bench_url
from models import (
    AuditEvent,
    Company,
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    NumberingSeries,
    Payment,
    TaxRate,
    User,
)
from tests.conftest import ROOT, drop_database
from tests.services.reports.test_summaries import assert_summaries_hold

INVOICES = 2000
END = date(2026, 6, 30)


@pytest.fixture(scope="module")
def seeded(database_url: URL) -> Iterator[Engine]:
    """A seed of 2,000 invoices in a throwaway database next to the test database."""
    url = database_url.set(database=f"{database_url.database}_seed_large")
    command = [sys.executable, "-m", "bench.seed_large", "--invoices", str(INVOICES)]
    command += ["--end-date", str(END), "--database-url", url.render_as_string(False)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    engine = create_engine(url)
    yield engine
    engine.dispose()
    drop_database(url)


@pytest.fixture
def session(seeded: Engine) -> Iterator[Session]:
    """A session on the seeded database whose changes are rolled back."""
    with seeded.connect() as connection, connection.begin() as transaction:
        yield Session(bind=connection, join_transaction_mode="create_savepoint")
        transaction.rollback()


def _documents(session: Session) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice)
            .options(selectinload(Invoice.lines), selectinload(Invoice.tax_totals))
            .order_by(Invoice.id)
        )
    )


def test_every_total_is_what_the_app_computes_from_the_lines(session):
    rates = {rate.id: terms_of(rate) for rate in session.scalars(select(TaxRate))}
    documents = _documents(session)
    assert len(documents) > INVOICES  # the invoices, and credit notes on top
    for invoice in documents:
        totals = totals_of_lines(invoice.lines, rates, invoice.currency)
        assert [line.net_amount for line in invoice.lines] == list(totals.line_nets)
        stored = {(t.tax_rate_id, t.taxable_amount, t.tax_amount) for t in invoice.tax_totals}
        expected = {(r.tax_rate_id, r.taxable_amount, r.tax_amount) for r in totals.breakdown}
        assert stored == expected, invoice.id
        assert (invoice.net_amount, invoice.tax_amount, invoice.total_amount) == (
            totals.net_amount,
            totals.tax_amount,
            totals.total_amount,
        )


def test_numbers_are_gapless_and_follow_issue_dates(session):
    for series in session.scalars(select(NumberingSeries)):
        issued = session.execute(
            select(Invoice.number, Invoice.issue_date, Invoice.reference)
            .where(Invoice.series_id == series.id)
            .order_by(Invoice.number)
        ).all()
        assert [number for number, _, _ in issued] == list(range(1, series.last_number + 1))
        dates = [day for _, day, _ in issued]
        assert dates == sorted(dates) and dates[-1] <= END
        assert all(
            ref == format_reference(series.prefix, series.padding, n, day) for n, day, ref in issued
        )


def test_issuing_after_the_seed_continues_the_series(session):
    admin = session.scalars(select(User).where(User.email == "admin@example.com")).one()
    series = session.scalars(
        select(NumberingSeries).where(
            NumberingSeries.company_id == admin.companies[0].id,
            NumberingSeries.kind == InvoiceKind.INVOICE,
            NumberingSeries.is_default.is_(True),
        )
    ).one()
    last = series.last_number
    customer = session.scalars(
        select(Customer).where(Customer.company_id == series.company_id, Customer.currency == "EUR")
    ).first()
    rate = session.scalars(select(TaxRate).where(TaxRate.percentage == 19)).one()
    draft = drafts.create_draft(session, admin, customer)
    drafts.add_line(session, admin, draft, LineInput("Consulting", "2", "100.00", rate.id))

    lifecycle.issue(session, admin, draft, END + timedelta(days=1))

    assert draft.number == last + 1
    assert draft.total_amount == Decimal("238.00")


def test_statuses_agree_with_payments_and_credit_notes(session):
    payments = select(Payment.invoice_id, func.sum(Payment.amount)).group_by(Payment.invoice_id)
    paid = dict(session.execute(payments).all())
    credited: dict[int, Decimal] = defaultdict(Decimal)
    documents = _documents(session)
    for note in (d for d in documents if d.kind == InvoiceKind.CREDIT_NOTE):
        original = note.original_invoice
        assert (note.customer_id, note.currency) == (original.customer_id, original.currency)
        assert note.issue_date >= original.issue_date
        credited[original.id] += note.total_amount
    for invoice in documents:
        assert invoice.paid_amount == paid.get(invoice.id, 0)
        assert invoice.credited_amount == credited.get(invoice.id, 0)
        assert invoice.status == derive_status(invoice), invoice.id
        assert invoice.paid_amount + invoice.credited_amount <= invoice.total_amount
    assert {invoice.status for invoice in documents} == set(InvoiceStatus)


def test_demo_users_can_sign_in(session):
    for role, (email, password) in demo_data.DEMO_USERS.items():
        user = users.authenticate(session, email, password)
        assert user is not None and user.role == role


def test_issued_invoices_are_frozen_again_after_the_load(session):
    issued = session.scalars(select(Invoice).where(Invoice.status == "paid").limit(1)).one()
    with pytest.raises(IntegrityError, match="frozen"), session.begin_nested():
        session.execute(
            text("UPDATE invoices SET total_amount = 0 WHERE id = :id"), {"id": issued.id}
        )
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_refuses_to_wipe_a_database_not_named_like_a_bench_one():
    with pytest.raises(SystemExit, match="Refusing to wipe 'backoffice'"):
        bench_url("postgresql+psycopg://postgres@127.0.0.1:5432/backoffice", force=False)
    forced = bench_url("postgresql://postgres@127.0.0.1:5432/backoffice", force=True)
    assert forced.drivername == "postgresql+psycopg"


def test_report_summaries_match_the_loaded_documents(session):
    for company_id in session.scalars(select(Company.id)):
        assert_summaries_hold(session, company_id)

"""The demo data tells a believable story, through the services' own rules, once."""

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice import demo_data
from backoffice.demo_data.directory import COMPANIES
from backoffice.demo_data.plans import plan_invoices
from backoffice.services import audit, work
from backoffice.services.invoicing.status import overdue_clause
from backoffice.services.validation import check_vat_id
from models import (
    Base,
    CreditKind,
    Customer,
    CustomerCreditEntry,
    EmailMessage,
    EmailStatus,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)

TODAY = date(2026, 12, 2)


@contextmanager
def _seeded(engine, invoice_count: int = 300) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    audit.set_actor(session, audit.Actor(user_id=None, email="seed-demo"))
    assert demo_data.seed(session, today=TODAY, invoice_count=invoice_count)
    yield session
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture(scope="module")
def demo(engine) -> Iterator[Session]:
    """One demo database for the module, rolled back at its end."""
    with _seeded(engine) as session:
        yield session


def _row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def _invoices(session: Session, *where) -> list[Invoice]:
    return list(session.scalars(select(Invoice).where(*where).order_by(Invoice.id)))


def test_seeding_again_changes_nothing(demo):
    before = _row_counts(demo)
    assert demo_data.seed(demo, today=TODAY) is False
    assert _row_counts(demo) == before


def test_the_same_story_is_planned_every_time():
    # The story's own draws (lines, rates) come from a generator seeded in seed() likewise.
    customers = [customer for company in COMPANIES for customer in company.customers]

    def story() -> list[tuple]:
        plans = plan_invoices(customers, TODAY, 300, random.Random(14))
        return [(plan.customer.name, plan.issue_date, plan.steps) for plan in plans]

    assert story() == story()


def test_customers_have_distinct_real_names_and_valid_vat_ids(demo):
    customers = list(demo.scalars(select(Customer)))
    names = [customer.name for customer in customers]
    assert len(names) >= 40
    assert len(set(names)) == len(names)
    assert not [name for name in names if re.search(r"\((tier )?\d+\)", name)]
    assert len({customer.country for customer in customers}) >= 10
    for customer in customers:
        if customer.vat_id:
            assert check_vat_id(customer.vat_id, customer.country) == customer.vat_id


def test_every_company_currency_and_role_is_there(demo):
    invoices = _invoices(demo, Invoice.status != InvoiceStatus.DRAFT)
    assert len({invoice.company_id for invoice in invoices}) == 2
    assert {invoice.currency for invoice in invoices} >= {"EUR", "USD", "GBP", "CHF", "JPY"}
    assert {invoice.status for invoice in invoices} == set(InvoiceStatus) - {"draft"}
    assert _invoices(demo, Invoice.status == InvoiceStatus.DRAFT)


def test_issue_dates_span_fourteen_months_and_numbers_follow_them(demo):
    issued = _invoices(demo, Invoice.status != InvoiceStatus.DRAFT)
    assert min(invoice.issue_date for invoice in issued) <= TODAY - timedelta(days=400)
    months = {(invoice.issue_date.year, invoice.issue_date.month) for invoice in issued}
    assert len(months) >= 14
    for series in {invoice.series_id for invoice in issued}:
        in_series = sorted((i for i in issued if i.series_id == series), key=lambda i: i.number)
        assert [i.number for i in in_series] == list(range(1, len(in_series) + 1))
        dates = [invoice.issue_date for invoice in in_series]
        assert dates == sorted(dates)


def test_a_plausible_share_is_overdue_and_most_is_paid(demo):
    invoices = _invoices(demo, Invoice.kind == InvoiceKind.INVOICE, Invoice.status != "draft")
    overdue = _invoices(demo, overdue_clause(TODAY))
    assert 0.05 <= len(overdue) / len(invoices) <= 0.2
    # Some long overdue (the aging report's last column), some only just.
    ages = {(TODAY - invoice.due_date).days for invoice in overdue}
    assert max(ages) > 90 and min(ages) <= 30
    paid = [invoice for invoice in invoices if invoice.status == InvoiceStatus.PAID]
    assert len(paid) / len(invoices) > 0.6


def test_payments_come_partly_and_in_full_by_several_methods(demo):
    methods = set(demo.scalars(select(Payment.method)))
    assert methods >= {PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD, PaymentMethod.DIRECT_DEBIT}
    assert _invoices(demo, Invoice.status == InvoiceStatus.PARTIALLY_PAID)
    assert demo.scalar(select(func.count()).where(Payment.amount < 0))  # a refund
    for invoice in _invoices(demo, Invoice.kind == InvoiceKind.INVOICE):
        assert invoice.paid_amount == sum(payment.amount for payment in invoice.payments)


def test_credit_notes_credit_whole_and_part_invoices(demo):
    notes = _invoices(demo, Invoice.kind == InvoiceKind.CREDIT_NOTE)
    originals = {note.original_invoice for note in notes}
    assert any(invoice.credited_amount == invoice.total_amount for invoice in originals)
    assert any(0 < invoice.credited_amount < invoice.total_amount for invoice in originals)
    for invoice in originals:
        own = [note for note in notes if note.original_invoice_id == invoice.id]
        assert sum(note.total_amount for note in own) == invoice.credited_amount
    for note in notes:
        assert note.issue_date >= note.original_invoice.issue_date
    # Credited after being paid: the excess became customer credit, refunded days later.
    kinds = {entry.kind for entry in demo.scalars(select(CustomerCreditEntry))}
    assert {CreditKind.CREDIT_NOTE, CreditKind.REFUNDED} <= kinds
    assert demo.scalar(select(func.sum(CustomerCreditEntry.amount))) == 0


def test_emails_were_delivered_or_failed_as_delivery_records_them(demo):
    messages = list(demo.scalars(select(EmailMessage)))
    assert {message.status for message in messages} == {EmailStatus.SENT, EmailStatus.FAILED}
    failed = [message for message in messages if message.status == EmailStatus.FAILED]
    # In the plain words the email job records (services/delivery/failures.py).
    server = "The mail server at 127.0.0.1:25 refused the "
    assert {message.last_error[len(server) :].split()[0] for message in failed} == {
        "connection:",
        "recipient",
    }
    for message in failed:
        assert message.attempts == 6 and message.sent_at is None
        assert message.invoice.status == InvoiceStatus.ISSUED  # it never reached them
    for message in messages:
        if message.status == EmailStatus.SENT:
            assert message.sent_at is not None and message.last_error == ""
            assert message.invoice.sent_at is not None
    assert any(m.attempts > 1 for m in messages if m.status == EmailStatus.SENT)  # a retry


def test_only_the_pdfs_are_left_for_the_workers(demo):
    # The seed recorded every email's delivery itself; a worker must not send them again.
    kinds = {request.kind for request in work.pending_requests(demo)}
    assert kinds == {"render_pdf"}

"""Rules checked at issue: dates in number order, exchange rates, credit notes that fit."""

from datetime import timedelta
from decimal import Decimal as D

import pytest

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import drafts, lifecycle
from backoffice.services.locking import lock_invoice
from backoffice.services.payments import ledger
from models import InvoiceStatus
from tests import factories
from tests.factories import ISSUE_DAY, line


def test_issue_date_cannot_be_in_the_future(session, finance, draft):
    draft.issue_date = ISSUE_DAY + timedelta(days=1)
    with pytest.raises(DomainError, match="future date"):
        lifecycle.issue(session, finance, draft, ISSUE_DAY)
    assert draft.status == InvoiceStatus.DRAFT


def test_numbers_follow_issue_dates(session, finance, customer, vat19):
    factories.make_issued_invoice(session, finance, customer, [line(vat19)], today=ISSUE_DAY)
    backdated = factories.make_draft(
        session, finance, customer, [line(vat19)], issue_date=ISSUE_DAY - timedelta(days=1)
    )
    with pytest.raises(DomainError, match="Numbers follow issue dates"), session.begin_nested():
        lifecycle.issue(session, finance, backdated, ISSUE_DAY)
    same_day = factories.make_draft(session, finance, customer, [line(vat19)])
    assert lifecycle.issue(session, finance, same_day, ISSUE_DAY).number == 2


def test_foreign_currency_needs_an_exchange_rate(session, finance, company, vat19):
    customer = factories.make_customer(session, company, currency="USD")
    draft = factories.make_draft(session, finance, customer, [line(vat19)])
    with pytest.raises(DomainError, match="Set the exchange rate from USD to EUR") as refused:
        lifecycle.issue(session, finance, draft, ISSUE_DAY)
    assert refused.value.field == "exchange_rate"
    draft.exchange_rate = D("0.92")
    assert lifecycle.issue(session, finance, draft, ISSUE_DAY).exchange_rate == D("0.92")


def test_base_currency_invoices_get_rate_one(session, finance, draft):
    draft.exchange_rate = D("3")  # typed by mistake on a EUR invoice of a EUR company
    assert lifecycle.issue(session, finance, draft, ISSUE_DAY).exchange_rate == 1


def test_credit_note_keeps_customer_and_currency_of_the_original(session, finance, company, issued):
    note = lifecycle.create_credit_note(session, finance, issued)
    note.customer = factories.make_customer(session, company)
    session.flush()
    with pytest.raises(DomainError, match="keeps the company, customer and currency"):
        lifecycle.issue(session, finance, note, ISSUE_DAY)
    assert issued.credited_amount == 0


def test_credit_note_credits_only_rates_the_invoice_charged(session, finance, issued, company):
    zero = factories.make_tax_rate(session, "0")
    note = lifecycle.create_credit_note(session, finance, issued)
    for _ in list(note.lines):
        factories.edit_draft(session, finance, note, factories.remove_line(0))
    drafts.add_line(session, finance, note, line(zero, "1", "10.00"))
    with pytest.raises(DomainError, match="charged no tax at 0%"):
        lifecycle.issue(session, finance, note, ISSUE_DAY)


def test_credit_note_never_credits_more_at_a_rate_than_was_charged(session, finance, issued, vat7):
    # The original charged 50.00 net at 7 %; crediting 60.00 there is refused even though
    # the total (64.20) is well below what is left overall (291.50).
    note = lifecycle.create_credit_note(session, finance, issued)
    for _ in list(note.lines):
        factories.edit_draft(session, finance, note, factories.remove_line(0))
    drafts.add_line(session, finance, note, line(vat7, "1", "60.00"))
    with pytest.raises(DomainError, match="At 7% only €50.00 is left"):
        lifecycle.issue(session, finance, note, ISSUE_DAY)


def test_a_second_click_with_the_same_version_is_refused(session, finance, issued):
    shown = issued.version
    lock_invoice(session, issued, expected_version=shown)
    ledger.record_payment(session, finance, issued, "100.00", ISSUE_DAY)
    with pytest.raises(DomainError, match="changed since you opened it"):
        lock_invoice(session, issued, expected_version=shown)
    assert issued.paid_amount == D("100.00")


def test_nothing_is_owed_on_void_invoices_drafts_and_credit_notes(session, finance, issued):
    assert factories.make_draft(session, finance, issued.customer).balance_amount == 0
    note = lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)
    assert note.balance_amount == 0 and note.status == InvoiceStatus.ISSUED
    other = factories.make_issued_invoice(session, finance, issued.customer)
    lifecycle.void(session, finance, other, "duplicate")
    assert other.balance_amount == 0


def test_a_zero_total_invoice_is_settled_when_issued(session, finance, customer, vat19):
    free = factories.line(vat19, "1", "100.00", discount_percent="100")
    draft = factories.make_draft(session, finance, customer, [free])
    issued = lifecycle.issue(session, finance, draft, ISSUE_DAY)
    assert issued.total_amount == 0
    assert issued.status == InvoiceStatus.PAID  # nothing to pay, nothing to credit

"""Payments and refunds against issued invoices (the fixture invoice totals 291.50 EUR)."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import ledger
from models import InvoiceStatus, Payment
from tests import factories
from tests.factories import ISSUE_DAY, line

D = Decimal


def _payment_count(session, invoice) -> int:
    query = select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice.id)
    return session.scalar(query)


def test_payment_is_refused_when_larger_than_the_balance(session, finance, issued):
    with pytest.raises(DomainError) as refused:
        ledger.record_payment(session, finance, issued, "291.51", ISSUE_DAY)
    assert refused.value.message == (
        "The payment (€291.51) is larger than the open balance (€291.50): keep the excess "
        "(€0.01) as customer credit, or correct the amount."
    )
    assert refused.value.field == "amount"
    assert issued.paid_amount == 0 and _payment_count(session, issued) == 0


def test_payment_of_the_exact_balance_marks_paid(session, finance, issued):
    payment = ledger.record_payment(
        session, finance, issued, "291.50", ISSUE_DAY, method="card", reference=" R-1 "
    )
    assert issued.status == InvoiceStatus.PAID
    assert issued.paid_amount == D("291.50") and issued.balance_amount == 0
    assert (payment.amount, payment.method, payment.reference) == (D("291.50"), "card", "R-1")
    assert payment.created_by_id == finance.id
    with pytest.raises(DomainError, match="takes no payments"):
        ledger.record_payment(session, finance, issued, "0.01", ISSUE_DAY)


def test_partial_payment_marks_partially_paid_until_the_rest_arrives(session, finance, issued):
    ledger.record_payment(session, finance, issued, "100", ISSUE_DAY)
    assert issued.status == InvoiceStatus.PARTIALLY_PAID
    assert issued.balance_amount == D("191.50")
    ledger.record_payment(session, finance, issued, D("191.50"), ISSUE_DAY)
    assert issued.status == InvoiceStatus.PAID
    assert _payment_count(session, issued) == 2


def test_refund_is_a_negative_payment_and_reopens_the_balance(session, finance, issued):
    ledger.record_payment(session, finance, issued, "291.50", ISSUE_DAY)
    refund = ledger.record_refund(session, finance, issued, "41.50", ISSUE_DAY)
    assert refund.amount == D("-41.50")
    assert issued.paid_amount == D("250.00")
    assert issued.balance_amount == D("41.50")
    assert issued.status == InvoiceStatus.PARTIALLY_PAID
    ledger.record_refund(session, finance, issued, "250.00", ISSUE_DAY)
    assert issued.status == InvoiceStatus.ISSUED


def test_refund_returns_to_sent_when_the_invoice_was_sent(session, finance, issued):
    lifecycle.mark_sent(session, finance, issued)
    ledger.record_payment(session, finance, issued, "10", ISSUE_DAY)
    ledger.record_refund(session, finance, issued, "10", ISSUE_DAY)
    assert issued.status == InvoiceStatus.SENT


def test_refund_is_refused_when_more_than_was_paid(session, finance, issued):
    ledger.record_payment(session, finance, issued, "50", ISSUE_DAY)
    with pytest.raises(
        DomainError, match=r"refund \(€50.01\) is larger than what was paid \(€50.00\)"
    ):
        ledger.record_refund(session, finance, issued, "50.01", ISSUE_DAY)
    assert issued.paid_amount == D("50")


def test_idempotency_key_records_the_payment_once(session, finance, issued):
    first = ledger.record_payment(
        session, finance, issued, "100.00", ISSUE_DAY, idempotency_key="bank:tx-1"
    )
    again = ledger.record_payment(
        session, finance, issued, "100.00", ISSUE_DAY, idempotency_key="bank:tx-1"
    )
    session.expire_all()  # the replay must be found in the database, not the identity map only
    third = ledger.record_payment(
        session, finance, issued, "100", ISSUE_DAY, idempotency_key="bank:tx-1"
    )
    assert again is first and third.id == first.id
    assert _payment_count(session, issued) == 1
    assert issued.paid_amount == D("100.00")


def test_idempotency_key_is_refused_when_reused_for_another_payment(
    session, finance, customer, issued
):
    ledger.record_payment(session, finance, issued, "100", ISSUE_DAY, idempotency_key="k")
    with pytest.raises(DomainError, match="different payment"):
        ledger.record_payment(session, finance, issued, "99", ISSUE_DAY, idempotency_key="k")
    other = factories.make_issued_invoice(session, finance, customer)
    with pytest.raises(DomainError, match="different payment"):
        ledger.record_payment(session, finance, other, "100", ISSUE_DAY, idempotency_key="k")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Amount must be a number"),
        ("0", "greater than zero"),
        ("-5", "greater than zero"),
        ("1.001", "EUR amounts have at most 2 decimals"),
        ("Infinity", "finite"),
    ],
)
def test_payment_is_refused_when_the_amount_is_bad(session, finance, issued, amount, message):
    with pytest.raises(DomainError, match=message):
        ledger.record_payment(session, finance, issued, amount, ISSUE_DAY)


def test_payment_is_refused_when_jpy_amount_has_decimals(session, finance, company, vat19):
    customer = factories.make_customer(session, company, currency="JPY")
    invoice = factories.make_issued_invoice(
        session, finance, customer, [line(vat19, "1", "1000")], exchange_rate=D("0.0061")
    )
    assert invoice.total_amount == D("1190")
    with pytest.raises(DomainError, match="JPY amounts have at most 0 decimals"):
        ledger.record_payment(session, finance, invoice, "0.5", ISSUE_DAY)
    ledger.record_payment(session, finance, invoice, "1190", ISSUE_DAY)
    assert invoice.status == InvoiceStatus.PAID


def test_payment_is_refused_when_the_method_is_unknown(session, finance, issued):
    with pytest.raises(DomainError, match="Unknown payment method"):
        ledger.record_payment(session, finance, issued, "1", ISSUE_DAY, method="bitcoin")


def test_payment_is_refused_when_draft_void_or_credit_note(session, finance, customer, draft):
    with pytest.raises(DomainError, match="takes no payments"):
        ledger.record_payment(session, finance, draft, "1", ISSUE_DAY)
    voided = lifecycle.void(
        session, finance, factories.make_issued_invoice(session, finance, customer), "x"
    )
    with pytest.raises(DomainError, match="takes no payments"):
        ledger.record_payment(session, finance, voided, "1", ISSUE_DAY)
    original = factories.make_issued_invoice(session, finance, customer)
    note = lifecycle.create_credit_note(session, finance, original)
    lifecycle.issue(session, finance, note, ISSUE_DAY)
    with pytest.raises(DomainError, match="not credit notes"):
        ledger.record_payment(session, finance, note, "1", ISSUE_DAY)

"""Random sequences of payments, refunds, reversals, credit notes and credit use lose no money.

What came in from outside less what went back out always equals what is applied to the
invoices plus what the customer holds as credit, and no invoice or credit goes negative.
"""

from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle
from backoffice.services.invoicing.status import can_be_credited, derive_status
from backoffice.services.payments import customer_credit, ledger, reversal
from models import Invoice, Payment, PaymentMethod
from tests import factories
from tests.factories import ISSUE_DAY, line

KINDS = ["pay", "overpay", "refund", "reverse", "credit_note", "apply", "refund_credit"]
steps_strategy = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=2),  # which invoice
        st.integers(min_value=1, max_value=100),  # a percentage of what the step may take
        st.integers(min_value=0, max_value=20),  # which payment a reversal picks
    ),
    min_size=3,
    max_size=14,
)


@dataclass
class Cash:
    """What the test itself saw cross the bank account."""

    net: D = D(0)


def share(amount: D, percent: int) -> D:
    return max(D("0.01"), (amount * percent / 100).quantize(D("0.01")))


def step(session, finance, customer, invoices, cash: Cash, kind, which, percent, pick) -> None:
    invoice = invoices[which]
    if kind == "pay":
        amount = share(invoice.balance_amount, percent)
        ledger.record_payment(session, finance, invoice, amount, ISSUE_DAY)
        cash.net += amount
    elif kind == "overpay":
        amount = invoice.balance_amount + share(invoice.total_amount, percent)
        ledger.record_payment(session, finance, invoice, amount, ISSUE_DAY, excess_to_credit=True)
        cash.net += amount
    elif kind == "refund":
        amount = share(invoice.paid_amount, percent)
        ledger.record_refund(session, finance, invoice, amount, ISSUE_DAY)
        cash.net -= amount
    elif kind == "reverse" and invoice.payments:
        payment = invoice.payments[pick % len(invoice.payments)]
        reversal.reverse_payment(session, finance, payment, "property test", ISSUE_DAY)
        if payment.method != PaymentMethod.CUSTOMER_CREDIT:
            cash.net -= payment.amount  # the money never came in (or never went out)
    elif kind == "credit_note" and can_be_credited(invoice):
        lifecycle.credit_in_full(session, finance, invoice, ISSUE_DAY)
    elif kind == "apply":
        # Some of what fits, or (None) all of it.
        amount = (
            None if percent > 50 else share(customer_credit.applicable(session, invoice), percent)
        )
        customer_credit.apply_credit(session, finance, invoice, amount, ISSUE_DAY)
    elif kind == "refund_credit":
        held = customer_credit.balance(session, customer.id, "EUR")
        amount = share(held, percent)
        customer_credit.refund_credit(session, finance, customer, "EUR", amount, ISSUE_DAY)
        cash.net -= amount


def check_books(session, customer, invoices, cash: Cash) -> None:
    applied = D(0)
    for invoice in invoices:
        session.refresh(invoice)
        rows = select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.invoice_id == invoice.id
        )
        assert invoice.paid_amount == session.scalar(rows)  # the invoice is its payments
        assert invoice.paid_amount >= 0 and invoice.balance_amount >= 0
        assert invoice.status == derive_status(invoice)
        applied += invoice.paid_amount
    credit = customer_credit.balance(session, customer.id, "EUR")
    assert credit >= 0
    assert cash.net == applied + credit


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps_strategy)
def test_no_sequence_of_operations_leaves_money_unaccounted_for(
    session, finance, company, vat19, steps
):
    example = session.begin_nested()  # every example starts from the same database
    try:
        customer = factories.make_customer(session, company)
        invoices: list[Invoice] = [
            factories.make_issued_invoice(session, finance, customer, [line(vat19, q, p)])
            for q, p in (("1", "100.00"), ("3", "33.33"), ("2", "0.05"))
        ]
        cash = Cash()
        for kind, which, percent, pick in steps:
            with suppress(DomainError), session.begin_nested():  # a refused step changes nothing
                step(session, finance, customer, invoices, cash, kind, which, percent, pick)
            check_books(session, customer, invoices, cash)
    finally:
        example.rollback()


def test_the_books_check_notices_money_that_vanished(session, finance, company, vat19):
    customer = factories.make_customer(session, company)
    invoice = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1")])
    cash = Cash()
    step(session, finance, customer, [invoice], cash, "overpay", 0, 150, 0)
    check_books(session, customer, [invoice], cash)
    cash.net += D("0.01")  # a cent the books do not hold
    with pytest.raises(AssertionError):
        check_books(session, customer, [invoice], cash)

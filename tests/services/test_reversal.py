"""Reversing payments and refunds: never deleted, with a reason; balance, status, credit follow."""

from decimal import Decimal

import pytest

from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.payments import customer_credit, ledger, reversal
from models import InvoiceStatus, PaymentMethod
from tests import factories
from tests.factories import ISSUE_DAY, line

D = Decimal


def test_partial_payments_refund_and_reversals_move_balance_and_status(session, finance, issued):
    first = ledger.record_payment(session, finance, issued, "100.00", ISSUE_DAY)
    second = ledger.record_payment(session, finance, issued, "191.50", ISSUE_DAY)
    assert (issued.status, issued.balance_amount) == (InvoiceStatus.PAID, 0)

    undo = reversal.reverse_payment(session, finance, second, " cheque bounced ", ISSUE_DAY)
    assert (undo.amount, undo.reverses, undo.reason) == (D("-191.50"), second, "cheque bounced")
    assert (issued.status, issued.balance_amount) == (InvoiceStatus.PARTIALLY_PAID, D("191.50"))
    assert second in issued.payments  # still there, marked by its reversal
    assert second.reversed_by is undo

    refund = ledger.record_refund(session, finance, issued, "40.00", ISSUE_DAY)
    assert issued.balance_amount == D("231.50")
    reversal.reverse_payment(session, finance, refund, "refund never left the bank", ISSUE_DAY)
    assert (issued.status, issued.balance_amount) == (InvoiceStatus.PARTIALLY_PAID, D("191.50"))

    reversal.reverse_payment(session, finance, first, "booked on the wrong invoice", ISSUE_DAY)
    assert (issued.status, issued.paid_amount) == (InvoiceStatus.ISSUED, 0)
    assert issued.balance_amount == D("291.50")
    assert len(issued.payments) == 6  # nothing deleted


def test_a_payment_is_reversed_once(session, finance, issued):
    payment = ledger.record_payment(session, finance, issued, "10.00", ISSUE_DAY)
    undo = reversal.reverse_payment(session, finance, payment, "typo", ISSUE_DAY)
    with pytest.raises(DomainError, match="already reversed"):
        reversal.reverse_payment(session, finance, payment, "again", ISSUE_DAY)
    with pytest.raises(DomainError, match="cannot itself be reversed"):
        reversal.reverse_payment(session, finance, undo, "undo the undo", ISSUE_DAY)
    assert issued.paid_amount == 0


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_reversal_without_a_proper_reason_changes_nothing(session, finance, issued, reason):
    payment = ledger.record_payment(session, finance, issued, "10.00", ISSUE_DAY)
    with pytest.raises(DomainError) as refused:
        reversal.reverse_payment(session, finance, payment, reason, ISSUE_DAY)
    assert refused.value.field == "reason"
    assert issued.paid_amount == D("10.00") and len(issued.payments) == 1


@pytest.mark.parametrize("role", ["support", "manager"])
def test_reversal_is_refused_to_those_who_may_not_record_payments(
    session, finance, issued, role, request
):
    payment = ledger.record_payment(session, finance, issued, "10.00", ISSUE_DAY)
    with pytest.raises(PermissionDenied):
        reversal.reverse_payment(session, request.getfixturevalue(role), payment, "no", ISSUE_DAY)
    assert issued.paid_amount == D("10.00")


def test_reversing_an_overpayment_takes_its_excess_back_from_credit(
    session, finance, customer, issued
):
    payment = ledger.record_payment(
        session, finance, issued, "300.00", ISSUE_DAY, excess_to_credit=True
    )
    reversal.reverse_payment(session, finance, payment, "bounced", ISSUE_DAY)
    assert (issued.status, issued.paid_amount) == (InvoiceStatus.ISSUED, 0)
    assert customer_credit.balances(session, customer.id) == {}


def test_reversal_is_refused_when_its_money_already_left_the_credit(
    session, finance, customer, issued
):
    payment = ledger.record_payment(
        session, finance, issued, "300.00", ISSUE_DAY, excess_to_credit=True
    )
    customer_credit.refund_credit(session, finance, customer, "EUR", "8.50", ISSUE_DAY)
    with pytest.raises(DomainError, match="credit holds only €0.00"):
        reversal.reverse_payment(session, finance, payment, "bounced", ISSUE_DAY)


def test_reversing_a_refund_beyond_the_balance_gives_the_customer_credit(
    session, finance, customer, issued
):
    ledger.record_payment(session, finance, issued, "291.50", ISSUE_DAY)
    refund = ledger.record_refund(session, finance, issued, "20.00", ISSUE_DAY)
    ledger.record_payment(session, finance, issued, "20.00", ISSUE_DAY)  # paid again meanwhile
    reversal.reverse_payment(session, finance, refund, "refund bounced", ISSUE_DAY)
    assert (issued.status, issued.balance_amount) == (InvoiceStatus.PAID, 0)
    assert customer_credit.balances(session, customer.id) == {"EUR": D("20.00")}


def test_reversing_a_credit_application_gives_the_credit_back(
    session, finance, customer, issued, vat19
):
    ledger.record_payment(session, finance, issued, "341.50", ISSUE_DAY, excess_to_credit=True)
    other = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1")])
    applied = customer_credit.apply_credit(session, finance, other, None, ISSUE_DAY)
    undo = reversal.reverse_payment(session, finance, applied, "wrong invoice", ISSUE_DAY)
    assert undo.method == PaymentMethod.CUSTOMER_CREDIT and undo.amount == D("-50.00")
    assert (other.status, other.balance_amount) == (InvoiceStatus.ISSUED, D("119.00"))
    assert customer_credit.balances(session, customer.id) == {"EUR": D("50.00")}
    moved_out = issued.payments[-1]  # the overpayment's move to credit follows its payment
    with pytest.raises(DomainError, match="follows the payment or credit note"):
        reversal.reverse_payment(session, finance, moved_out, "no", ISSUE_DAY)

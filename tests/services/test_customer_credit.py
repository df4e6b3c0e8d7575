"""Overpayments and credit notes beyond the balance become customer credit, used or refunded."""

from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import customer_credit, ledger
from models import CreditKind, CustomerCreditEntry, InvoiceStatus, PaymentMethod
from tests import factories
from tests.factories import ISSUE_DAY, line

D = Decimal


def _entries(session, customer) -> list[tuple[str, Decimal]]:
    query = (
        select(CustomerCreditEntry.kind, CustomerCreditEntry.amount)
        .where(CustomerCreditEntry.customer_id == customer.id)
        .order_by(CustomerCreditEntry.id)
    )
    return [tuple(row) for row in session.execute(query)]


def test_overpayment_is_refused_unless_the_excess_is_kept_as_credit(
    session, finance, customer, issued
):
    with pytest.raises(DomainError, match=r"keep the excess \(€8.50\) as customer credit"):
        ledger.record_payment(session, finance, issued, "300.00", ISSUE_DAY)
    assert issued.paid_amount == 0 and not issued.payments
    assert customer_credit.balances(session, customer.id) == {}

    payment = ledger.record_payment(
        session, finance, issued, "300.00", ISSUE_DAY, reference="TX-9", excess_to_credit=True
    )
    assert payment.amount == D("300.00")  # the money as it arrived
    assert issued.status == InvoiceStatus.PAID and issued.balance_amount == 0
    assert issued.paid_amount == D("291.50")
    moved = issued.payments[-1]
    assert (moved.method, moved.amount) == (PaymentMethod.CUSTOMER_CREDIT, D("-8.50"))
    assert customer_credit.balances(session, customer.id) == {"EUR": D("8.50")}
    assert _entries(session, customer) == [(CreditKind.OVERPAYMENT, D("8.50"))]


def test_credit_is_applied_to_another_open_invoice_of_the_same_currency(
    session, finance, customer, issued, vat19
):
    ledger.record_payment(session, finance, issued, "391.50", ISSUE_DAY, excess_to_credit=True)
    other = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1")])
    assert customer_credit.applicable(session, other) == D("100.00")  # of its 119.00

    applied = customer_credit.apply_credit(session, finance, other, None, ISSUE_DAY)
    assert applied.amount == D("100.00") and applied.method == PaymentMethod.CUSTOMER_CREDIT
    assert other.status == InvoiceStatus.PARTIALLY_PAID and other.balance_amount == D("19.00")
    assert customer_credit.balances(session, customer.id) == {}
    assert customer_credit.applicable(session, other) == 0
    with pytest.raises(DomainError, match="no EUR credit to apply"):
        customer_credit.apply_credit(session, finance, other, None, ISSUE_DAY)
    ledger.record_payment(session, finance, other, "19.00", ISSUE_DAY)
    assert other.status == InvoiceStatus.PAID
    assert _entries(session, customer) == [
        (CreditKind.OVERPAYMENT, D("100.00")),
        (CreditKind.APPLIED, D("-100.00")),
    ]


def test_credit_in_another_currency_is_not_applied(session, finance, company, customer, vat19):
    invoice = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1")])
    ledger.record_payment(session, finance, invoice, "200", ISSUE_DAY, excess_to_credit=True)
    usd = factories.make_issued_invoice(
        session, finance, customer, [line(vat19, "1")], currency="USD", exchange_rate=D("0.9")
    )
    assert customer_credit.applicable(session, usd) == 0
    with pytest.raises(DomainError, match="no USD credit"):
        customer_credit.apply_credit(session, finance, usd, "10", ISSUE_DAY)
    assert usd.paid_amount == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("50.01", r"Only €50.00 of credit is available"),
        ("0", "greater than zero"),
        ("1.234", "at most 2 decimals"),
        ("lots", "must be a number"),
    ],
)
def test_applying_bad_amounts_changes_nothing(
    session, finance, customer, issued, vat19, amount, message
):
    ledger.record_payment(session, finance, issued, "341.50", ISSUE_DAY, excess_to_credit=True)
    other = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1")])
    with pytest.raises(DomainError, match=message):
        customer_credit.apply_credit(session, finance, other, amount, ISSUE_DAY)
    assert other.paid_amount == 0 and not other.payments
    assert customer_credit.balance(session, customer.id, "EUR") == D("50.00")


def test_credit_is_not_applied_beyond_the_open_balance(session, finance, customer, issued, vat19):
    ledger.record_payment(session, finance, issued, "591.50", ISSUE_DAY, excess_to_credit=True)
    other = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1")])
    with pytest.raises(DomainError, match=r"more than the open balance \(€119.00\)"):
        customer_credit.apply_credit(session, finance, other, "119.01", ISSUE_DAY)
    customer_credit.apply_credit(session, finance, other, "119.00", ISSUE_DAY)
    assert other.status == InvoiceStatus.PAID
    assert customer_credit.balance(session, customer.id, "EUR") == D("181.00")


def test_credit_is_refunded_never_beyond_what_is_held(session, finance, customer, issued):
    ledger.record_payment(session, finance, issued, "301.50", ISSUE_DAY, excess_to_credit=True)
    with pytest.raises(DomainError, match=r"larger than the customer's EUR credit \(€10.00\)"):
        customer_credit.refund_credit(session, finance, customer, "EUR", "10.01", ISSUE_DAY)
    with pytest.raises(DomainError, match="Unknown currency"):
        customer_credit.refund_credit(session, finance, customer, "EURO", "1", ISSUE_DAY)
    refund = customer_credit.refund_credit(
        session, finance, customer, "eur", "4.00", ISSUE_DAY, reference=" BACK-1 "
    )
    assert (refund.kind, refund.amount, refund.reference) == ("refunded", D("-4.00"), "BACK-1")
    assert customer_credit.balances(session, customer.id) == {"EUR": D("6.00")}


def test_credit_note_beyond_the_open_balance_lands_in_customer_credit(
    session, finance, customer, issued
):
    ledger.record_payment(session, finance, issued, "200.00", ISSUE_DAY)
    assert issued.status == InvoiceStatus.PARTIALLY_PAID
    lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)  # credits 291.50
    assert issued.status == InvoiceStatus.PAID
    assert (issued.paid_amount, issued.balance_amount) == (0, 0)
    assert _entries(session, customer) == [(CreditKind.CREDIT_NOTE, D("200.00"))]


def test_credit_note_within_the_open_balance_moves_no_credit(session, finance, customer, issued):
    ledger.record_payment(session, finance, issued, "100.00", ISSUE_DAY)
    note = lifecycle.create_credit_note(session, finance, issued)
    factories.edit_draft(session, finance, note, factories.remove_line(0))  # the 50.00 at 7 %
    lifecycle.issue(session, finance, note, ISSUE_DAY)
    assert issued.balance_amount == D("291.50") - D("100.00") - D("53.50")
    assert customer_credit.balances(session, customer.id) == {}


@pytest.mark.parametrize("role", ["support", "manager"])
def test_only_those_who_record_payments_move_credit(
    session, finance, customer, issued, vat19, role, request
):
    ledger.record_payment(session, finance, issued, "391.50", ISSUE_DAY, excess_to_credit=True)
    other = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1")])
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        customer_credit.apply_credit(session, user, other, None, ISSUE_DAY)
    with pytest.raises(PermissionDenied):
        customer_credit.refund_credit(session, user, customer, "EUR", "1", ISSUE_DAY)
    assert customer_credit.balance(session, customer.id, "EUR") == D("100.00")


def test_credit_entries_are_never_changed_or_deleted(session, finance, customer, issued):
    ledger.record_payment(session, finance, issued, "300.00", ISSUE_DAY, excess_to_credit=True)
    statements = [
        update(CustomerCreditEntry).values(amount=D("1000.00")),
        delete(CustomerCreditEntry),
    ]
    for statement in statements:
        with pytest.raises(IntegrityError, match="append-only"), session.begin_nested():
            session.execute(statement.where(CustomerCreditEntry.customer_id == customer.id))
    assert customer_credit.balance(session, customer.id, "EUR") == D("8.50")


def test_credit_of_another_company_is_out_of_reach(session, finance, issued):
    stranger_company = factories.make_company(session)
    stranger = factories.make_customer(session, stranger_company)
    with pytest.raises(PermissionDenied):
        customer_credit.refund_credit(session, finance, stranger, "EUR", "1", ISSUE_DAY)

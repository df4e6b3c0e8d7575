"""Random sequences of payments, refunds and credit notes keep the books straight.

Whatever happens to an invoice, no rate is ever credited more taxable amount or tax than it
charged, the balance never turns negative (what is paid beyond it is customer credit), and
what is left can always be credited to the cent.
"""

from contextlib import suppress
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import credit_notes, lifecycle
from backoffice.services.invoicing.status import can_be_credited
from backoffice.services.payments import customer_credit, ledger
from models import Invoice, InvoiceStatus
from tests import factories
from tests.factories import ISSUE_DAY, line

PRICES = ["0.01", "0.05", "0.33", "1.01", "12.50", "19.99", "99.95", "333.33"]
lines_strategy = st.lists(
    st.tuples(
        st.sampled_from(["19", "7", "0"]),
        st.integers(min_value=1, max_value=7),
        st.sampled_from(PRICES),
    ),
    min_size=1,
    max_size=4,
)
operations = st.lists(
    st.tuples(
        st.sampled_from(["pay", "refund", "partial", "full"]),
        st.integers(min_value=1, max_value=100),  # a percentage of what the operation may take
        st.integers(min_value=0, max_value=3),  # which line a partial credit keeps
    ),
    max_size=6,
)


def charged_and_credited(session, invoice: Invoice) -> dict[int, tuple[D, D, D, D]]:
    """Per rate: taxable and tax charged, and taxable and tax credited so far."""
    left = credit_notes.left_per_rate(session, invoice)
    return {
        total.tax_rate_id: (
            total.taxable_amount,
            total.tax_amount,
            total.taxable_amount - left[total.tax_rate_id].taxable_amount,
            total.tax_amount - left[total.tax_rate_id].tax_amount,
        )
        for total in invoice.tax_totals
    }


def share(amount: D, percent: int) -> D:
    return (amount * percent / 100).quantize(D("0.01"))


def partial_credit(session, finance, invoice: Invoice, percent: int, keep: int) -> None:
    note = lifecycle.create_credit_note(session, finance, invoice)
    kept = keep % len(note.lines)
    for index in reversed(range(len(note.lines))):
        if index != kept:
            factories.edit_draft(session, finance, note, factories.remove_line(index))
    quantity = max(D("0.0001"), (note.lines[0].quantity * percent / 100).quantize(D("0.0001")))
    factories.edit_draft(session, finance, note, factories.set_quantity(0, str(quantity)))
    lifecycle.issue(session, finance, note, ISSUE_DAY)


def apply(session, finance, invoice: Invoice, operation: tuple[str, int, int]) -> None:
    kind, percent, keep = operation
    if kind == "pay" and invoice.balance_amount > 0:
        amount = max(D("0.01"), share(invoice.balance_amount, percent))
        ledger.record_payment(session, finance, invoice, amount, ISSUE_DAY)
    elif kind == "refund" and invoice.paid_amount > 0:
        amount = max(D("0.01"), share(invoice.paid_amount, percent))
        ledger.record_refund(session, finance, invoice, amount, ISSUE_DAY)
    elif kind == "partial" and can_be_credited(invoice):
        partial_credit(session, finance, invoice, percent, keep)
    elif kind == "full" and can_be_credited(invoice):
        lifecycle.credit_in_full(session, finance, invoice, ISSUE_DAY)


def check_books(session, invoice: Invoice) -> None:
    for taxable, tax, taxable_credited, tax_credited in charged_and_credited(
        session, invoice
    ).values():
        assert taxable_credited <= taxable and tax_credited <= tax
    assert invoice.credited_amount <= invoice.total_amount
    assert invoice.balance_amount >= 0  # beyond it: customer credit


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=lines_strategy, steps=operations)
def test_credits_never_exceed_a_rate_and_the_rest_is_always_creditable(
    session, finance, customer, lines, steps
):
    example = session.begin_nested()  # every example starts from the same database
    try:
        rates = {
            percentage: factories.make_tax_rate(session, percentage)
            for percentage in ["19", "7", "0"]
        }
        invoice = factories.make_issued_invoice(
            session,
            finance,
            customer,
            [line(rates[rate], str(quantity), price) for rate, quantity, price in lines],
        )
        for step in steps:
            with suppress(DomainError), session.begin_nested():  # a refused step changes nothing
                apply(session, finance, invoice, step)
            session.refresh(invoice)
            check_books(session, invoice)

        if can_be_credited(invoice):
            lifecycle.credit_in_full(session, finance, invoice, ISSUE_DAY)
        assert invoice.credited_amount == invoice.total_amount
        for taxable, tax, taxable_credited, tax_credited in charged_and_credited(
            session, invoice
        ).values():
            assert (taxable_credited, tax_credited) == (taxable, tax)  # to the cent
        assert invoice.status == InvoiceStatus.PAID
        # Everything the customer still had paid is theirs as credit now.
        assert invoice.paid_amount == 0
        assert customer_credit.balance(session, customer.id, invoice.currency) == sum(
            (payment.amount for payment in invoice.payments if payment.method != "customer_credit"),
            D(0),
        )
    finally:
        example.rollback()

"""Credit notes: full and partial, their own series, never more than what is left to credit."""

from datetime import date
from decimal import Decimal

import pytest

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import credit_notes, drafts, lifecycle
from backoffice.services.invoicing.status import is_overdue
from backoffice.services.payments import customer_credit, ledger
from models import Invoice, InvoiceKind, InvoiceStatus
from tests import factories
from tests.factories import ISSUE_DAY, line

D = Decimal


def _reduce_to(session, actor, note: Invoice, quantities: list[str]) -> Invoice:
    """Edit a draft credit note's line quantities (a partial credit)."""
    for index, quantity in enumerate(quantities):
        factories.edit_draft(session, actor, note, factories.set_quantity(index, quantity))
    return note


def test_credit_in_full_uses_its_own_series_and_settles_the_original(
    session, finance, customer, company, issued
):
    factories.make_issued_invoice(session, finance, customer)  # INV 2: series are separate
    note = lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)

    assert note.kind == InvoiceKind.CREDIT_NOTE
    assert note.status == InvoiceStatus.ISSUED
    assert (note.number, note.reference) == (1, "CN-2026-000001")
    assert note.series_id == factories.series(session, company, "CN").id
    assert note.original_invoice is issued
    assert note.total_amount == D("291.50")
    assert [ln.quantity for ln in note.lines] == [ln.quantity for ln in issued.lines]
    assert issued.credited_amount == D("291.50")
    assert issued.balance_amount == D("0.00")
    assert credit_notes.creditable_amount(issued) == 0
    assert not is_overdue(issued, date(2030, 1, 1))
    with pytest.raises(DomainError, match="takes no payments|larger than the open balance"):
        ledger.record_payment(session, finance, issued, "1.00", ISSUE_DAY)


def test_credit_in_full_is_refused_when_already_credited(session, finance, issued):
    lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)
    with pytest.raises(DomainError, match="Nothing is left to credit"):
        lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)
    assert issued.credited_amount == D("291.50")


def test_partial_credit_then_the_remainder(session, finance, company, issued):
    note = lifecycle.create_credit_note(session, finance, issued)
    assert note.status == InvoiceStatus.DRAFT and note.total_amount == D("291.50")
    _reduce_to(session, finance, note, ["1", "1"])  # 100.00 @ 19 % + 50.00 @ 7 % = 172.50
    lifecycle.issue(session, finance, note, ISSUE_DAY)

    assert note.reference == "CN-2026-000001"
    assert issued.credited_amount == D("172.50")
    assert issued.balance_amount == D("119.00")
    assert issued.status == InvoiceStatus.ISSUED

    # The next draft offers what is left: 100.00 at 19 %.
    rest = lifecycle.create_credit_note(session, finance, issued)
    vat19 = issued.lines[0].tax_rate
    assert [(n.unit_price, n.tax_rate_id) for n in rest.lines] == [(D("100.00"), vat19.id)]
    drafts.add_line(session, finance, rest, line(vat19, "1", "0.01"))
    with pytest.raises(DomainError, match="more than what is left"):
        lifecycle.issue(session, finance, rest, ISSUE_DAY)  # 119.01: one cent too much
    factories.edit_draft(session, finance, rest, factories.remove_line(1))
    lifecycle.issue(session, finance, rest, ISSUE_DAY)

    assert rest.reference == "CN-2026-000002"
    assert issued.credited_amount == D("291.50")
    assert issued.balance_amount == 0
    assert factories.series(session, company, "CN").last_number == 2
    with pytest.raises(DomainError, match="Nothing is left"):
        lifecycle.create_credit_note(session, finance, issued)


def test_issuing_a_credit_note_is_refused_when_another_took_the_rest(session, finance, issued):
    first = lifecycle.create_credit_note(session, finance, issued)
    second = lifecycle.create_credit_note(session, finance, issued)
    lifecycle.issue(session, finance, first, ISSUE_DAY)
    with pytest.raises(DomainError, match="Nothing is left to credit"):
        lifecycle.issue(session, finance, second, ISSUE_DAY)
    assert second.status == InvoiceStatus.DRAFT
    assert issued.credited_amount == D("291.50")


def test_credit_note_is_refused_when_original_is_draft_void_or_a_credit_note(
    session, finance, customer, draft
):
    with pytest.raises(DomainError, match="Nothing is left"):
        lifecycle.create_credit_note(session, finance, draft)
    voided = lifecycle.void(
        session, finance, factories.make_issued_invoice(session, finance, customer), "x"
    )
    with pytest.raises(DomainError, match="Nothing is left"):
        lifecycle.create_credit_note(session, finance, voided)
    note = lifecycle.credit_in_full(
        session, finance, factories.make_issued_invoice(session, finance, customer), ISSUE_DAY
    )
    with pytest.raises(DomainError, match="Only an invoice can be credited"):
        lifecycle.create_credit_note(session, finance, note)


def test_credit_note_keeps_the_original_tax_rate_when_the_rate_changed_since(
    session, finance, customer, vat19
):
    original = factories.make_issued_invoice(session, finance, customer, [line(vat19, "2")])
    vat19.percentage = D("20")  # an admin edits the rate after the invoice was issued
    session.flush()
    note = lifecycle.credit_in_full(session, finance, original, ISSUE_DAY)
    assert note.total_amount == original.total_amount == D("238.00")


def test_credit_note_keeps_the_exchange_rate_of_its_invoice(session, finance, company, vat19):
    # Crediting USD 1,190 in full at another rate would leave revenue and VAT in EUR behind
    # on an invoice that no longer counts (0.90 against 0.80: EUR 100 of revenue, 19 of VAT).
    usd = factories.make_customer(session, company, currency="USD")
    original = factories.make_issued_invoice(
        session, finance, usd, [line(vat19, "1", "1000.00")], exchange_rate=D("0.90")
    )
    note = lifecycle.create_credit_note(session, finance, original)
    assert note.exchange_rate == D("0.90")

    def other_rate(draft: Invoice) -> None:
        draft.exchange_rate = D("0.80")

    with pytest.raises(DomainError, match="keeps the exchange rate of its invoice"):
        factories.edit_draft(session, finance, note, other_rate)
    lifecycle.issue(session, finance, note, ISSUE_DAY)
    assert note.exchange_rate == D("0.90")


def test_credit_note_after_partial_payment_leaves_a_refundable_credit(
    session, finance, customer, issued
):
    ledger.record_payment(session, finance, issued, "91.50", ISSUE_DAY)
    lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)
    # The payment is no longer owed to the invoice: it is the customer's credit.
    assert issued.balance_amount == 0 and issued.paid_amount == 0
    assert customer_credit.balances(session, customer.id) == {"EUR": D("91.50")}
    refund = customer_credit.refund_credit(session, finance, customer, "EUR", "91.50", ISSUE_DAY)
    assert refund.amount == D("-91.50")
    assert customer_credit.balances(session, customer.id) == {}


def test_void_is_refused_when_credited(session, finance, issued):
    note = lifecycle.create_credit_note(session, finance, issued)
    lifecycle.issue(session, finance, _reduce_to(session, finance, note, ["1", "1"]), ISSUE_DAY)
    with pytest.raises(DomainError, match="credit notes"):
        lifecycle.void(session, finance, issued, "mistake")


def test_void_of_a_credit_note_gives_the_credit_back_or_is_refused(session, finance, issued):
    note = lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)
    try:
        lifecycle.void(session, finance, note, "issued by mistake")
    except DomainError:
        return  # refusing is a fine answer too
    assert issued.credited_amount == 0


# --- tax per rate: the credit notes of an invoice add up to exactly the invoice ------------


def _credit_one_line_at(session, finance, invoice: Invoice, rate) -> Invoice:
    """A partial credit note keeping only the first line at that tax rate."""
    note = lifecycle.create_credit_note(session, finance, invoice)
    keep = next(i for i, note_line in enumerate(note.lines) if note_line.tax_rate_id == rate.id)
    for index in reversed(range(len(note.lines))):
        if index != keep:
            factories.edit_draft(session, finance, note, factories.remove_line(index))
    return lifecycle.issue(session, finance, note, ISSUE_DAY)


def _tax_credited_at(invoice: Invoice, percentage: str) -> D:
    return sum(
        (
            total.tax_amount
            for note in invoice.credit_notes
            if note.status != InvoiceStatus.DRAFT
            for total in note.tax_totals
            if total.percentage == D(percentage)
        ),
        D(0),
    )


def test_crediting_a_rate_in_parts_never_credits_more_tax_than_was_charged(
    session, finance, customer, vat19, vat7
):
    lines = [line(vat19, "1", "12.50"), line(vat19, "1", "12.50"), line(vat7, "1", "100.00")]
    invoice = factories.make_issued_invoice(session, finance, customer, lines)
    assert sorted(t.tax_amount for t in invoice.tax_totals) == [D("4.75"), D("7.00")]

    first = _credit_one_line_at(session, finance, invoice, vat19)
    second = _credit_one_line_at(session, finance, invoice, vat19)
    assert (first.tax_amount, second.tax_amount) == (D("2.38"), D("2.37"))  # 4.75 in all
    assert _tax_credited_at(invoice, "19") == D("4.75")

    rest = lifecycle.credit_in_full(session, finance, invoice, ISSUE_DAY)  # the 107.00 left
    assert rest.total_amount == D("107.00")
    assert invoice.credited_amount == invoice.total_amount == D("136.75")
    assert invoice.balance_amount == 0


def test_credit_in_full_after_a_partial_credit_credits_exactly_what_is_left(
    session, finance, issued
):
    note = lifecycle.create_credit_note(session, finance, issued)
    lifecycle.issue(session, finance, _reduce_to(session, finance, note, ["1", "1"]), ISSUE_DAY)
    rest = lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)
    assert rest.total_amount == D("119.00")  # 100.00 at 19 % was left
    assert [line.description for line in rest.lines] == [f"Rest of {issued.reference}"]
    assert issued.credited_amount == issued.total_amount


# --- credited beyond what is owed: customer credit, never a silent negative balance ---------


def test_full_credit_of_a_paid_invoice_becomes_customer_credit(session, finance, customer, vat19):
    invoice = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1")])
    ledger.record_payment(session, finance, invoice, "119.00", ISSUE_DAY)
    lifecycle.credit_in_full(session, finance, invoice, ISSUE_DAY)

    assert invoice.status == InvoiceStatus.PAID
    assert invoice.balance_amount == 0
    assert customer_credit.balances(session, customer.id) == {"EUR": D("119.00")}

    customer_credit.refund_credit(session, finance, customer, "EUR", "119.00", ISSUE_DAY)
    assert customer_credit.balances(session, customer.id) == {}

"""Finance decides about bank lines: confirm a proposal, all exact ones at once, book by hand
split across invoices, ignore with a reason; booking goes through the payment ledger."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.payments import customer_credit, reversal
from backoffice.services.payments.bank import importing, reconciliation
from backoffice.services.payments.bank.matching import OpenInvoice, OpenItems, propose
from backoffice.services.payments.bank.references import creditor_reference, invoice_id_of
from backoffice.services.payments.bank.statement import StatementLine
from models import BankTransaction, InvoiceStatus
from tests import factories

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
D = Decimal


@pytest.fixture
def world(session, finance, company):
    made = factories.make_bank_world(session, finance, company)
    importing.import_statement(
        session, finance, made["account"], (FIXTURES / "camt053_v02.xml").read_bytes()
    )
    made["lines"] = {
        row.bank_reference: row
        for row in session.scalars(
            select(BankTransaction).where(BankTransaction.bank_account_id == made["account"].id)
        )
    }
    return made


def test_confirming_a_proposal_books_a_bank_payment(session, finance, world):
    line = world["lines"]["V02-0001"]
    [payment] = reconciliation.confirm(session, finance, line.proposals[0])

    invoice = world["invoices"][0]
    assert (payment.amount, payment.method, payment.source) == (
        D("119.00"),
        "bank_transfer",
        "bank_import",
    )
    assert payment.reference == "V02-0001" and payment.payment_date == date(2026, 12, 1)
    assert invoice.status == InvoiceStatus.PAID and invoice.balance_amount == 0
    assert line.state == "booked" and line.payments == [payment]
    with pytest.raises(DomainError, match="booked already"):
        reconciliation.confirm(session, finance, line.proposals[0])


def test_confirm_all_exact_books_only_exact_ones(session, finance, world):
    booked, skipped = reconciliation.confirm_all_exact(session, finance)

    assert (booked, skipped) == (3, [])
    states = {ref: row.state for ref, row in world["lines"].items()}
    assert states["V02-0001"] == states["V02-0002"] == "booked"
    assert states["V02-0004/E2E-COLLECTIVE"] == "booked"
    assert states["V02-0003"] == states["V02-0006"] == "proposed"  # probable: a person looks
    assert [i.status for i in world["invoices"][4:7]] == [InvoiceStatus.PAID] * 3


def test_an_overpayment_goes_to_credit_only_when_asked(session, finance, company, world):
    # 1,190.00 paid for INV-2026-000008 (595.00), from the CSV statement.
    importing.import_statement(
        session, finance, world["account"], (FIXTURES / "statement.csv").read_bytes()
    )
    line = session.scalars(
        select(BankTransaction).where(BankTransaction.amount == D("1190.00"))
    ).one()
    with pytest.raises(DomainError, match="keep the excess"):
        reconciliation.confirm(session, finance, line.proposals[0])
    assert line.state == "proposed"

    reconciliation.confirm(session, finance, line.proposals[0], excess_to_credit=True)
    customer = world["customers"]["muller"]
    assert customer_credit.balances(session, customer.id) == {"EUR": D("595.00")}
    assert line.state == "booked"


def test_a_line_is_split_across_invoices_by_hand(session, finance, world):
    line = world["lines"]["V02-0003"]  # 356.99
    with pytest.raises(DomainError, match="add up to €300.00, but the line is €356.99"):
        reconciliation.book_by_hand(session, finance, line, [("INV-2026-000003", "300.00")])
    payments = reconciliation.book_by_hand(
        session,
        finance,
        line,
        [("inv-2026-000003", "300.00"), (" INV-2026-000004 ", "56.99"), ("", "")],
    )
    assert [(p.invoice.reference, p.amount) for p in payments] == [
        ("INV-2026-000003", D("300.00")),
        ("INV-2026-000004", D("56.99")),
    ]
    assert world["invoices"][2].status == InvoiceStatus.PARTIALLY_PAID
    with pytest.raises(DomainError, match="booked already"):
        reconciliation.book_by_hand(session, finance, line, [("INV-2026-000005", "356.99")])


def test_a_reversed_booking_opens_its_part_of_the_line_again(session, finance, world):
    line = world["lines"]["V02-0003"]  # 356.99, split by mistake
    wrong, right = reconciliation.book_by_hand(
        session, finance, line, [("INV-2026-000004", "300.00"), ("INV-2026-000003", "56.99")]
    )
    reversal.reverse_payment(session, finance, wrong, "Booked on the wrong invoice", date.today())

    assert line.state == "proposed" and wrong.invoice.balance_amount == wrong.invoice.total_amount
    with pytest.raises(DomainError, match="but the line has €300.00 left to book"):
        reconciliation.book_by_hand(session, finance, line, [("INV-2026-000003", "356.99")])
    [again] = reconciliation.book_by_hand(session, finance, line, [("INV-2026-000003", "300.00")])
    assert (again.invoice.reference, again.amount, line.state) == (
        "INV-2026-000003",
        D("300.00"),
        "booked",
    )
    assert right.invoice.paid_amount == D("356.99")  # 56.99 kept, then 300.00

    # The same invoice again, after a second reversal: a payment of its own, not the first.
    reversal.reverse_payment(session, finance, again, "Still wrong", date.today())
    [third] = reconciliation.book_by_hand(session, finance, line, [("INV-2026-000003", "300.00")])
    assert third.id != again.id and third.invoice.paid_amount == D("356.99")


def test_foreign_currency_and_debit_lines_are_not_booked_onto_invoices(session, finance, world):
    with pytest.raises(DomainError, match="in USD and Invoice INV-2026-000008 in EUR"):
        reconciliation.confirm(session, finance, world["lines"]["V02-0006"].proposals[0])
    with pytest.raises(DomainError, match="money paid out"):
        reconciliation.book_by_hand(
            session, finance, world["lines"]["V02-0005"], [("INV-2026-000001", "12.50")]
        )
    with pytest.raises(DomainError, match="no invoice 'INV-2026-999999'"):
        reconciliation.book_by_hand(
            session, finance, world["lines"]["V02-0004/3"], [("INV-2026-999999", "10.00")]
        )


def test_ignore_needs_a_reason_and_can_be_undone(session, finance, world):
    line = world["lines"]["V02-0005"]
    with pytest.raises(DomainError, match="Say why"):
        reconciliation.ignore(session, finance, line, "  ")
    reconciliation.ignore(session, finance, line, "Bank fees")
    assert (line.state, line.ignore_reason) == ("ignored", "Bank fees")
    with pytest.raises(DomainError, match="ignored already"):
        reconciliation.book_by_hand(session, finance, line, [("INV-2026-000001", "12.50")])
    reconciliation.undo_ignore(session, finance, line)
    assert (line.state, line.ignore_reason) == ("unmatched", "")
    proposed = world["lines"]["V02-0003"]
    reconciliation.ignore(session, finance, proposed, "Paid twice, returned")
    reconciliation.undo_ignore(session, finance, proposed)
    assert proposed.state == "proposed"


def test_support_and_managers_decide_nothing(session, world, support, manager):
    line = world["lines"]["V02-0001"]
    for person in (support, manager):
        with pytest.raises(PermissionDenied):
            reconciliation.confirm(session, person, line.proposals[0])
        with pytest.raises(PermissionDenied):
            reconciliation.ignore(session, person, line, "no")
        with pytest.raises(PermissionDenied):
            reconciliation.confirm_all_exact(session, person)
    assert line.state == "proposed"


def test_another_companys_staff_see_no_line_to_confirm(session, world, company):
    stranger = factories.make_user(session, "finance", companies=[factories.make_company(session)])
    with pytest.raises(PermissionDenied):
        reconciliation.confirm(session, stranger, world["lines"]["V02-0001"].proposals[0])
    assert reconciliation.confirm_all_exact(session, stranger) == (0, [])


# Matching alone: plain functions, no database.
def _invoice(invoice_id, number, amount, customer=1, currency="EUR", name="Müller GmbH"):
    return OpenInvoice(
        id=invoice_id,
        reference=f"INV-2026-{number:06d}",
        year=2026,
        number=number,
        customer_id=customer,
        customer_name=name,
        currency=currency,
        balance=D(amount),
    )


def _line(amount, text="", structured="", **kw):
    return StatementLine(
        booking_date=date(2026, 12, 1),
        amount=D(amount),
        currency=kw.pop("currency", "EUR"),
        is_credit=kw.pop("is_credit", True),
        remittance_text=text,
        structured_reference=structured,
        **kw,
    )


def test_rf_creditor_references_name_our_invoices():
    reference = creditor_reference(42)
    assert invoice_id_of(reference) == 42
    assert invoice_id_of("RF00 0000 0000 42") is None  # wrong check digits
    items = OpenItems([_invoice(42, 7, "119.00"), _invoice(43, 8, "119.00")])
    [exact] = propose(_line("119.00", structured=reference), items)
    assert exact.confidence == "exact" and exact.allocations[0][0].id == 42
    assert "RF creditor reference" in exact.reason
    spaced = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))
    [in_text] = propose(_line("119.00", text=f"Payment {spaced} thanks"), items)
    assert in_text.allocations[0][0].id == 42


@pytest.mark.parametrize(
    "text",
    ["INV-2026-000007", "inv 2026 7", "2026-000007", "Rechnung INV2026000007", "INV/2026/07"],
)
def test_numbers_are_found_however_they_are_typed(text):
    items = OpenItems([_invoice(1, 7, "119.00"), _invoice(2, 70, "119.00")])
    [found] = propose(_line("119.00", text=text), items)
    assert found.confidence == "exact" and found.allocations[0][0].number == 7


def test_a_date_is_not_taken_for_a_short_number():
    items = OpenItems([_invoice(1, 12, "50.00"), _invoice(2, 13, "60.00")])
    assert propose(_line("1.00", text="Payment of 2026-12-01"), items) == []


def test_an_iban_seen_before_names_the_customer():
    items = OpenItems(
        [_invoice(1, 1, "80.00", customer=5, name="Zeta"), _invoice(2, 2, "80.00", customer=6)],
        payers={"DE44500105175407324931": {5}},
    )
    [found] = propose(_line("80.00", counterparty_iban="DE44500105175407324931"), items)
    assert found.confidence == "probable" and found.allocations[0][0].id == 1
    assert "paid from this IBAN before" in found.reason


def test_money_out_and_foreign_currency_are_never_exact():
    items = OpenItems([_invoice(1, 5, "100.00")])
    assert propose(_line("100.00", "INV-2026-000005", is_credit=False), items) == []
    [foreign] = propose(_line("100.00", "INV-2026-000005", currency="USD"), items)
    assert foreign.confidence == "probable"


def test_a_number_two_series_share_is_exact_only_with_its_prefix():
    inv = _invoice(1, 7, "119.00")
    exp = OpenInvoice(**{**inv.__dict__, "id": 2, "reference": "EXP-2026-000007"})
    items = OpenItems([inv, exp])
    [both] = propose(_line("119.00", text="2026-000007"), items)
    assert both.confidence == "probable" and "INV-2026-000007, EXP-2026-000007" in both.reason
    [named] = propose(_line("119.00", text="EXP-2026-000007"), items)
    assert named.confidence == "exact" and named.allocations[0][0].id == 2

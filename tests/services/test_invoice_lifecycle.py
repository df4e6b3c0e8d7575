"""Draft -> issued -> void / credited, against real PostgreSQL, including its freezing triggers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import drafts, lifecycle
from backoffice.services.invoicing.drafts import LineInput
from backoffice.services.invoicing.numbering import format_reference
from backoffice.services.invoicing.status import can_be_voided, is_overdue
from backoffice.services.payments import ledger
from models import AuditEvent, Invoice, InvoiceLine, InvoiceStatus
from tests import factories
from tests.factories import ISSUE_DAY, line

D = Decimal


# --- drafts --------------------------------------------------------------------------------


def test_draft_totals_follow_the_lines(draft):
    assert draft.status == InvoiceStatus.DRAFT
    assert draft.number is None and draft.reference is None
    assert [ln.net_amount for ln in draft.lines] == [D("200.00"), D("50.00")]
    assert [(t.percentage, t.taxable_amount, t.tax_amount) for t in draft.tax_totals] == [
        (D("7"), D("50.00"), D("3.50")),
        (D("19"), D("200.00"), D("38.00")),
    ]
    assert (draft.net_amount, draft.tax_amount, draft.total_amount) == (
        D("250.00"),
        D("41.50"),
        D("291.50"),
    )


def test_draft_totals_follow_line_updates_and_removals(session, finance, draft):
    first, second = draft.lines
    factories.edit_draft(session, finance, draft, factories.set_quantity(0, "1", "10.00"))
    assert draft.total_amount == D("65.40")  # 10.00 + 1.90 + 50.00 + 3.50
    factories.edit_draft(session, finance, draft, factories.remove_line(1))
    assert [t.taxable_amount for t in draft.tax_totals] == [D("10.00")]
    assert draft.total_amount == D("11.90")


def test_draft_can_be_deleted_with_its_lines(session, finance, draft):
    draft_id = draft.id
    drafts.delete_draft(session, finance, draft)
    assert session.get(Invoice, draft_id) is None
    lines = select(func.count()).select_from(InvoiceLine).where(InvoiceLine.invoice_id == draft_id)
    assert session.scalar(lines) == 0


def test_create_draft_is_refused_when_due_date_before_issue_date(session, finance, customer):
    with pytest.raises(DomainError, match="due date") as refused:
        drafts.create_draft(
            session, finance, customer, issue_date=date(2026, 3, 2), due_date=date(2026, 3, 1)
        )
    assert refused.value.field == "due_date"


def test_create_draft_is_refused_when_currency_is_unknown(session, finance, customer):
    with pytest.raises(DomainError, match="Unknown currency") as refused:
        drafts.create_draft(session, finance, customer, currency="EURO")
    assert refused.value.field == "currency"


def test_create_draft_normalizes_the_currency(session, finance, customer):
    assert drafts.create_draft(session, finance, customer, currency=" usd ").currency == "USD"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "abc", "Quantity must be a number, not 'abc'"),
        ("quantity", "0", "Quantity must be greater than zero"),
        ("quantity", "-1", "Quantity must be greater than zero"),
        ("quantity", "NaN", "Quantity must be a finite number"),
        ("unit_price", "12.34.5", "Unit price must be a number"),
        ("unit_price", "1,5", "use a point for decimals"),
        ("unit_price", "1,500.00", "use a point for decimals"),
        ("unit_price", "-5", "Unit price cannot be negative"),
        ("discount_percent", "101", "Discount must be between 0 and 100"),
        ("description", "   ", "needs a description"),
    ],
)
def test_add_line_is_refused_with_a_clear_message_when_input_is_bad(
    session, finance, customer, vat19, field, value, message
):
    draft = factories.make_draft(session, finance, customer, lines=[])
    data = {"description": "Consulting", "quantity": "1", "unit_price": "10", field: value}
    with pytest.raises(DomainError, match=message):
        drafts.add_line(session, finance, draft, LineInput(tax_rate_id=vat19.id, **data))
    assert draft.lines == []


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("1000000000", "1000000")], "Line 1: its amount is too large"),
        ([("100000000", "9000000")] * 2, "The invoice total is too large"),
    ],
)
def test_amounts_too_large_for_the_books_are_refused_by_field(
    session, finance, customer, vat19, lines, message
):
    draft = factories.make_draft(session, finance, customer, lines=[])
    with pytest.raises(DomainError, match=message):
        for quantity, price in lines:
            drafts.add_line(session, finance, draft, line(vat19, quantity, price))


def test_add_line_names_the_form_field_when_quantity_is_not_a_number(
    session, finance, customer, vat19
):
    draft = factories.make_draft(session, finance, customer, lines=[])
    with pytest.raises(DomainError) as refused:
        drafts.add_line(session, finance, draft, line(vat19, quantity="abc"))
    assert refused.value.field == "quantity"


@pytest.mark.parametrize(
    ("quantity", "unit_price"),
    [("0.00001", "10"), ("1e20", "10"), ("1.00005", "1000"), ("1", "0.0000001")],
)
def test_add_line_is_refused_when_a_number_does_not_fit_its_column(
    session, finance, customer, vat19, quantity, unit_price
):
    draft = factories.make_draft(session, finance, customer, lines=[])
    with pytest.raises(DomainError), session.begin_nested():
        drafts.add_line(session, finance, draft, line(vat19, quantity, unit_price))


def test_add_line_is_refused_when_tax_rate_is_unknown(session, finance, customer):
    draft = factories.make_draft(session, finance, customer, lines=[])
    bad = LineInput(description="x", quantity="1", unit_price="1", tax_rate_id=-1)
    with pytest.raises(DomainError, match="tax rate"):
        drafts.add_line(session, finance, draft, bad)


# --- issue ---------------------------------------------------------------------------------


def test_issue_assigns_the_next_number_and_freezes_when_draft_has_lines(
    session, finance, customer, company, draft
):
    issued = lifecycle.issue(session, finance, draft, ISSUE_DAY)
    second = factories.make_issued_invoice(session, finance, customer)

    assert issued.status == InvoiceStatus.ISSUED
    assert (issued.number, issued.reference) == (1, "INV-2026-000001")
    assert (second.number, second.reference) == (2, "INV-2026-000002")
    assert issued.series_id == factories.series(session, company, "INV").id
    assert factories.series(session, company, "INV").last_number == 2
    assert issued.issue_date == ISSUE_DAY
    assert issued.due_date == ISSUE_DAY + timedelta(days=30)  # the customer's terms
    assert issued.issued_at is not None
    assert issued.total_amount == D("291.50")
    assert issued.reference == "INV-2026-000001" and issued.company_id == company.id


def test_issue_widens_the_number_when_the_series_outgrows_its_padding(
    session, finance, customer, company, vat19
):
    counter = factories.series(session, company, "INV")
    counter.padding, counter.last_number = 2, 99
    session.flush()
    issued = factories.make_issued_invoice(session, finance, customer, [line(vat19)])
    assert issued.reference == "INV-2026-100" == format_reference("INV-", 2, 100, ISSUE_DAY)


def test_issue_keeps_dates_set_on_the_draft(session, finance, customer, vat19):
    draft = factories.make_draft(
        session,
        finance,
        customer,
        [line(vat19)],
        issue_date=date(2026, 1, 15),
        due_date=date(2026, 1, 29),
    )
    issued = lifecycle.issue(session, finance, draft, ISSUE_DAY)
    assert (issued.issue_date, issued.due_date) == (date(2026, 1, 15), date(2026, 1, 29))
    assert issued.reference == "INV-2026-000001"


def test_issue_is_refused_when_draft_has_no_lines(session, finance, customer, company):
    draft = factories.make_draft(session, finance, customer, lines=[])
    with pytest.raises(DomainError, match="at least one line"):
        lifecycle.issue(session, finance, draft, ISSUE_DAY)
    assert draft.status == InvoiceStatus.DRAFT and draft.number is None
    assert factories.series(session, company, "INV").last_number == 0


def test_issue_is_refused_when_due_date_would_precede_issue_date(session, finance, customer):
    # The due date was typed on the draft; issuing later would put it before the issue date.
    draft = factories.make_draft(session, finance, customer, due_date=date(2026, 2, 1))
    with pytest.raises(DomainError, match="due date"):
        lifecycle.issue(session, finance, draft, ISSUE_DAY)


def test_issue_is_refused_when_already_issued(session, finance, issued):
    with pytest.raises(DomainError, match="cannot be changed"):
        lifecycle.issue(session, finance, issued, ISSUE_DAY)
    assert issued.number == 1


def test_issue_is_refused_when_company_has_no_series(session, finance, customer, company):
    draft = factories.make_draft(session, finance, customer)
    session.execute(text("DELETE FROM numbering_series WHERE company_id = :c"), {"c": company.id})
    with pytest.raises(DomainError, match="no default numbering series"):
        lifecycle.issue(session, finance, draft, ISSUE_DAY)


def test_issue_writes_no_tax_row_when_the_draft_was_saved_with_its_totals(session, finance, draft):
    rows = {total.id: total.tax_rate_id for total in draft.tax_totals}
    before = session.scalar(select(func.max(AuditEvent.id)))
    lifecycle.issue(session, finance, draft, ISSUE_DAY)
    session.expire_all()
    assert {total.id: total.tax_rate_id for total in draft.tax_totals} == rows
    written = session.execute(
        select(AuditEvent.action, AuditEvent.entity_type).where(AuditEvent.id > before)
    ).all()
    assert {entity for _, entity in written} == {"Invoice"}  # no line, no tax row rewritten
    assert sorted(action for action, _ in written) == ["invoice.issue", "update"]


def test_issue_corrects_stale_tax_rows_in_place_when_the_draft_was_not(session, finance, draft):
    # Written behind the services' back, e.g. by an older version: issuing prices again.
    session.execute(
        text("UPDATE invoice_tax_totals SET tax_amount = 0 WHERE invoice_id = :id"),
        {"id": draft.id},
    )
    session.expire_all()
    rows = sorted(total.id for total in draft.tax_totals)
    issued = lifecycle.issue(session, finance, draft, ISSUE_DAY)
    session.expire_all()
    assert sorted(total.id for total in issued.tax_totals) == rows
    assert [total.tax_amount for total in issued.tax_totals] == [D("3.50"), D("38.00")]
    assert (issued.tax_amount, issued.total_amount) == (D("41.50"), D("291.50"))


def test_the_counter_keeps_the_last_issue_date(session, finance, customer, company, vat19):
    earlier = factories.make_draft(
        session, finance, customer, [line(vat19)], issue_date=date(2026, 1, 15)
    )
    lifecycle.issue(session, finance, earlier, ISSUE_DAY)
    assert factories.series(session, company, "INV").last_issue_date == date(2026, 1, 15)
    factories.make_issued_invoice(session, finance, customer, [line(vat19)])
    session.expire_all()
    assert factories.series(session, company, "INV").last_issue_date == ISSUE_DAY


# --- frozen once issued: the services ------------------------------------------------------


def test_editing_is_refused_by_the_service_when_issued(session, finance, vat19, issued):
    attempts = [
        lambda: drafts.add_line(session, finance, issued, line(vat19)),
        lambda: factories.edit_draft(session, finance, issued, factories.set_quantity(0, "5")),
        lambda: factories.edit_draft(session, finance, issued, factories.remove_line(0)),
        lambda: drafts.recalculate(session, issued),
        lambda: drafts.prepare_draft(session, finance, issued, is_created=False),
        lambda: drafts.delete_draft(session, finance, issued),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="credit note"):
            attempt()
    session.expire_all()
    assert issued.total_amount == D("291.50")
    assert len(issued.lines) == 2


# --- frozen once issued: the database ------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE invoices SET total_amount = 1 WHERE id = :id",
        "UPDATE invoices SET notes = 'changed' WHERE id = :id",
        "UPDATE invoices SET due_date = due_date + 10 WHERE id = :id",
        "UPDATE invoices SET number = 99 WHERE id = :id",
        "UPDATE invoices SET status = 'draft', number = NULL, reference = NULL WHERE id = :id",
        "DELETE FROM invoices WHERE id = :id",
        "UPDATE invoice_lines SET quantity = 7 WHERE invoice_id = :id",
        "UPDATE invoice_lines SET description = 'other' WHERE invoice_id = :id",
        "DELETE FROM invoice_lines WHERE invoice_id = :id",
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit, unit_price,"
        " discount_percent, tax_rate_id, net_amount) SELECT invoice_id, 9, 'x', 1, 'unit', 1, 0,"
        " tax_rate_id, 1 FROM invoice_lines WHERE invoice_id = :id LIMIT 1",
        "UPDATE invoice_tax_totals SET tax_amount = 0 WHERE invoice_id = :id",
        "DELETE FROM invoice_tax_totals WHERE invoice_id = :id",
    ],
)
def test_database_refuses_changing_an_issued_invoice_when_sql_bypasses_the_service(
    session, issued, statement
):
    with pytest.raises(IntegrityError, match="frozen|cannot be deleted"), session.begin_nested():
        session.execute(text(statement), {"id": issued.id})
    session.expire_all()
    assert issued.total_amount == D("291.50")
    assert issued.notes == ""
    assert [(ln.quantity, ln.description) for ln in issued.lines] == [
        (D("2"), "Consulting"),
        (D("1"), "Consulting"),
    ]


def test_database_refuses_changing_an_issued_invoice_when_orm_bypasses_the_service(session, issued):
    with pytest.raises(IntegrityError, match="frozen"), session.begin_nested():
        issued.notes = "sneaky"
        session.flush()
    session.expire_all()
    assert issued.notes == ""


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE invoices SET status = 'sent', sent_at = now() WHERE id = :id",
        "UPDATE invoices SET paid_amount = 10, status = 'partially_paid' WHERE id = :id",
        "UPDATE invoices SET credited_amount = 5 WHERE id = :id",
    ],
)
def test_database_allows_bookkeeping_columns_when_issued(session, issued, statement):
    with session.begin_nested():
        assert session.execute(text(statement), {"id": issued.id}).rowcount == 1


def test_database_allows_editing_and_deleting_drafts(session, draft):
    with session.begin_nested():
        session.execute(text("UPDATE invoices SET notes = 'ok' WHERE id = :id"), {"id": draft.id})
        session.execute(
            text("UPDATE invoice_lines SET quantity = 3 WHERE invoice_id = :id"), {"id": draft.id}
        )
        session.execute(text("DELETE FROM invoices WHERE id = :id"), {"id": draft.id})


# --- overdue -------------------------------------------------------------------------------


def test_overdue_is_derived_from_due_date_and_balance(session, finance, issued):
    due = issued.due_date
    assert not is_overdue(issued, due)
    assert is_overdue(issued, due + timedelta(days=1))
    assert issued.status == InvoiceStatus.ISSUED  # nothing stored

    ledger.record_payment(session, finance, issued, "100.00", ISSUE_DAY)
    assert is_overdue(issued, due + timedelta(days=1))
    ledger.record_payment(session, finance, issued, issued.balance_amount, ISSUE_DAY)
    assert not is_overdue(issued, due + timedelta(days=1))


def test_overdue_is_false_when_draft_or_void(session, finance, draft, customer):
    assert not is_overdue(draft, date(2030, 1, 1))
    other = factories.make_issued_invoice(session, finance, customer)
    lifecycle.void(session, finance, other, "wrong customer")
    assert not is_overdue(other, date(2030, 1, 1))


def test_overdue_is_false_when_credit_note(session, finance, issued):
    note = lifecycle.credit_in_full(session, finance, issued, ISSUE_DAY)
    assert not is_overdue(note, date(2030, 1, 1))


# --- void ----------------------------------------------------------------------------------


def test_void_keeps_the_number_when_unpaid(session, finance, customer, issued, company):
    voided = lifecycle.void(session, finance, issued, "  duplicate  ")
    assert voided.status == InvoiceStatus.VOID
    assert (voided.number, voided.reference) == (1, "INV-2026-000001")
    assert voided.void_reason == "duplicate"
    assert voided.voided_at is not None
    # The number is used up: the next invoice does not reuse it.
    assert factories.make_issued_invoice(session, finance, customer).number == 2


def test_void_is_refused_when_paid_in_part(session, finance, issued):
    ledger.record_payment(session, finance, issued, "1.00", ISSUE_DAY)
    with pytest.raises(DomainError, match="cannot be voided|Only an issued or sent"):
        lifecycle.void(session, finance, issued, "mistake")
    assert issued.status == InvoiceStatus.PARTIALLY_PAID


def test_void_is_refused_when_a_payment_was_refunded_in_full(session, finance, issued):
    # The money moved in and out: the invoice stays live, and a credit note corrects it.
    ledger.record_payment(session, finance, issued, issued.total_amount, ISSUE_DAY)
    ledger.record_refund(session, finance, issued, issued.total_amount, ISSUE_DAY)
    assert issued.paid_amount == 0 and not can_be_voided(issued)
    with pytest.raises(DomainError, match="payments, refunds or credit notes"):
        lifecycle.void(session, finance, issued, "Customer cancelled")
    assert issued.status == InvoiceStatus.ISSUED


def test_void_is_refused_when_draft_or_already_void(session, finance, draft, customer):
    with pytest.raises(DomainError, match="Only an issued or sent"):
        lifecycle.void(session, finance, draft, "mistake")
    other = factories.make_issued_invoice(session, finance, customer)
    lifecycle.void(session, finance, other, "mistake")
    with pytest.raises(DomainError, match="Only an issued or sent"):
        lifecycle.void(session, finance, other, "again")


def test_void_is_refused_without_a_reason(session, finance, issued):
    with pytest.raises(DomainError, match="reason") as refused:
        lifecycle.void(session, finance, issued, "   ")
    assert refused.value.field == "reason"


def test_void_works_when_sent(session, finance, issued):
    lifecycle.mark_sent(session, finance, issued)
    assert issued.status == InvoiceStatus.SENT
    assert lifecycle.void(session, finance, issued, "sent twice").status == InvoiceStatus.VOID


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_a_form_line_with_a_non_finite_number_is_refused_clearly(
    session, finance, customer, vat19, value
):
    draft = factories.make_draft(session, finance, customer, lines=[])
    draft.lines.append(
        InvoiceLine(description="x", quantity=D(value), unit_price=D("1"), tax_rate_id=vat19.id)
    )
    with pytest.raises(DomainError, match="Quantity must be a finite number"):
        drafts.prepare_draft(session, finance, draft, is_created=False)

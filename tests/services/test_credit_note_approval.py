"""Four eyes on large credit notes: above the company's threshold a manager (or an admin other
than its author) approves the draft as it stands before anyone issues it."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.invoicing import approvals, lifecycle
from models import AuditEvent, Invoice, InvoiceStatus
from tests import factories
from tests.factories import ISSUE_DAY, line

D = Decimal


@pytest.fixture
def company(session):
    return factories.make_company(session, credit_note_approval_threshold=D("1000"))


@pytest.fixture
def large(session, finance, customer, vat19) -> Invoice:
    """An issued invoice of 2,380.00 (2,000.00 + 19 %)."""
    return factories.make_issued_invoice(session, finance, customer, [line(vat19, "1", "2000.00")])


def test_a_credit_note_above_the_threshold_waits_for_approval(session, finance, manager, large):
    note = lifecycle.create_credit_note(session, finance, large)
    with pytest.raises(DomainError, match="above .* approval threshold of €1,000.00"):
        lifecycle.issue(session, finance, note, ISSUE_DAY)
    assert note.status == InvoiceStatus.DRAFT

    approvals.approve(session, manager, note)
    lifecycle.issue(session, finance, note, ISSUE_DAY)
    assert note.status != InvoiceStatus.DRAFT and note.approved_by_id == manager.id
    assert large.credited_amount == D("2380.00")
    approved = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "credit_note.approved")
    ).one()
    assert (approved.entity_id, approved.detail) == (str(note.id), "€2,380.00 approved")


def test_crediting_in_full_above_the_threshold_leaves_a_draft_to_approve(session, finance, large):
    note = lifecycle.credit_in_full(session, finance, large, ISSUE_DAY)
    assert note.status == InvoiceStatus.DRAFT and note.total_amount == D("2380.00")
    assert large.credited_amount == 0
    assert "a manager approves it" in approvals.missing_approval(note)


def test_a_change_after_approval_asks_for_approval_again(session, finance, manager, large, vat19):
    note = lifecycle.create_credit_note(session, finance, large)
    approvals.approve(session, manager, note)
    assert approvals.is_approved(note)

    def more(draft: Invoice) -> None:
        draft.lines[0].unit_price = D("1500.00")

    factories.edit_draft(session, finance, note, more)
    assert not approvals.is_approved(note)
    with pytest.raises(DomainError, match="a manager approves it"):
        lifecycle.issue(session, finance, note, ISSUE_DAY)


def test_within_the_threshold_no_approval_is_asked(session, finance, customer, vat19):
    small = factories.make_issued_invoice(session, finance, customer, [line(vat19, "1", "840.00")])
    note = lifecycle.credit_in_full(session, finance, small, ISSUE_DAY)  # 999.60
    assert note.status != InvoiceStatus.DRAFT and note.approved_by_id is None


def test_the_threshold_is_in_the_base_currency(session, finance, company, vat19):
    # USD 1,000.00 + 19 % at 0.80 is EUR 952.00: within a EUR 1,000 threshold.
    usd = factories.make_customer(session, company, currency="USD")
    invoice = factories.make_issued_invoice(
        session, finance, usd, [line(vat19, "1", "1000.00")], exchange_rate=D("0.80")
    )
    note = lifecycle.create_credit_note(session, finance, invoice)
    assert not approvals.needs_approval(note)


def test_only_someone_else_with_the_right_approves(
    session, finance, support, admin, manager, large
):
    note = lifecycle.create_credit_note(session, admin, large)
    for user in (finance, support):
        with pytest.raises(PermissionDenied):
            approvals.approve(session, user, note)
    with pytest.raises(DomainError, match="Four eyes"):
        approvals.approve(session, admin, note)
    approvals.approve(session, manager, note)
    lifecycle.issue(session, admin, note, ISSUE_DAY)

"""The audit trail: written by every flush and lifecycle action, append-only in the database."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from backoffice.services import audit
from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import ledger
from models import AuditEvent, Customer
from tests import factories
from tests.factories import ISSUE_DAY


@pytest.fixture
def actor(session, finance):
    audit.set_actor(session, audit.Actor(finance.id, finance.email, "192.0.2.7"))
    return finance


def _events(session, entity_type=None, entity_id=None, action=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == str(entity_id))
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query).all()


def test_creating_a_row_writes_a_create_event_in_the_same_transaction(session, company, actor):
    customer = factories.make_customer(session, company, name="ACME SARL")
    [event] = _events(session, "Customer", customer.id)
    assert event.action == "create"
    assert event.entity_id == str(customer.id)
    assert (event.user_id, event.user_email, event.ip_address) == (
        actor.id,
        actor.email,
        "192.0.2.7",
    )
    assert event.company_id == company.id
    assert event.before is None
    assert event.after["name"] == "ACME SARL"
    assert event.after["id"] == customer.id
    assert event.detail == "ACME SARL"


def test_updating_a_row_records_only_what_changed(session, company, actor):
    customer = factories.make_customer(session, company, name="Old name", city="Paris")
    customer.name = "New name"
    session.flush()
    [event] = _events(session, "Customer", customer.id, "update")
    assert event.before["name"] == "Old name"
    assert event.after["name"] == "New name"
    assert "city" not in event.before and "city" not in event.after


def test_deleting_a_row_records_what_it_was(session, company, actor):
    customer = factories.make_customer(session, company, name="Gone Ltd")
    customer_id = customer.id
    session.delete(customer)
    session.flush()
    [event] = _events(session, "Customer", customer_id, "delete")
    assert event.before["name"] == "Gone Ltd"
    assert event.after is None


def test_audit_event_is_rolled_back_with_the_change(session, company, actor):
    savepoint = session.begin_nested()
    customer = factories.make_customer(session, company)
    customer_id = customer.id
    assert _events(session, "Customer", customer_id)
    savepoint.rollback()
    assert session.get(Customer, customer_id) is None
    assert _events(session, "Customer", customer_id) == []


def test_password_hash_is_never_written_to_the_trail(session, actor):
    user = factories.make_user(session, "support")
    [event] = _events(session, "User", user.id, "create")
    assert event.after["password_hash"] == "***"
    user.password_hash = "another-hash"
    session.flush()
    [update] = _events(session, "User", user.id, "update")
    assert update.before["password_hash"] == update.after["password_hash"] == "***"


def test_lifecycle_actions_write_named_events(session, actor, customer, draft):
    lifecycle.issue(session, actor, draft, ISSUE_DAY)
    ledger.record_payment(session, actor, draft, "10.00", ISSUE_DAY)
    other = factories.make_issued_invoice(session, actor, customer)
    lifecycle.void(session, actor, other, "duplicate")

    [issue] = _events(session, "Invoice", draft.id, "invoice.issue")
    assert issue.detail == "INV-2026-000001"
    assert issue.company_id == draft.company_id
    assert issue.user_id == actor.id
    [paid] = _events(session, "Invoice", draft.id, "payment.record")
    assert paid.detail == "€10.00"
    [voided] = _events(session, "Invoice", other.id, "invoice.void")
    assert voided.detail == "duplicate"
    # The flush listener also saw the status change itself.
    updates = _events(session, "Invoice", draft.id, "update")
    assert any(e.after.get("status") == "issued" for e in updates)


def test_issuing_records_the_number_and_the_frozen_content_as_the_invoice_shows_them(
    session, company, actor, draft
):
    issued = lifecycle.issue(session, actor, draft, ISSUE_DAY)
    [issue] = _events(session, "Invoice", draft.id, "invoice.issue")
    *_, update = _events(session, "Invoice", draft.id, "update")
    assert issue.id < update.id
    for event in (issue, update):
        assert (event.user_id, event.user_email, event.ip_address) == (
            actor.id,
            actor.email,
            "192.0.2.7",
        )
        assert (event.company_id, event.entity_id) == (company.id, str(draft.id))
    assert (issue.detail, update.detail) == ("INV-2026-000001", "Invoice INV-2026-000001")
    assert issue.before is None and issue.after is None
    assert update.before == dict.fromkeys(update.after) | {"status": "draft"}
    assert update.after == {
        "status": "issued",
        "series_id": issued.series_id,
        "number": 1,
        "reference": "INV-2026-000001",
        "issued_at": issued.issued_at.astimezone(UTC).isoformat(),
        "issue_date": ISSUE_DAY.isoformat(),
        "due_date": issued.due_date.isoformat(),
        "exchange_rate": "1",
        "seller_details": issued.seller_details,
        "buyer_details": issued.buyer_details,
    }
    assert update.after["seller_details"]["name"] == company.name


@pytest.mark.parametrize("microsecond", [0, 120, 123400, 999999])
def test_sql_writes_a_time_in_the_trail_as_python_does(session, microsecond):
    # The issue's statement writes its issue time into the trail itself.
    moment = datetime(2026, 6, 30, 9, 5, 7, microsecond, tzinfo=UTC)
    written = text(f"SELECT {audit.plain_timestamp_sql('CAST(:moment AS timestamptz)')}")
    assert session.scalar(written, {"moment": moment}) == moment.isoformat()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'tampered'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ],
)
def test_database_refuses_rewriting_the_trail(session, company, actor, statement):
    factories.make_customer(session, company)
    with pytest.raises(IntegrityError, match="append-only"), session.begin_nested():
        session.execute(text(statement))
    assert _events(session, "Customer")


def test_line_and_payment_events_carry_their_invoice_company(session, finance, issued, company):
    ledger.record_payment(session, finance, issued, "10.00", factories.ISSUE_DAY)
    session.flush()
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type.in_(["InvoiceLine", "Payment"]))
    ).all()
    assert {row.entity_type for row in rows} == {"InvoiceLine", "Payment"}
    assert {row.company_id for row in rows} == {company.id}


def test_removed_line_event_keeps_its_invoice_company(session, finance, draft, company):
    factories.edit_draft(session, finance, draft, factories.remove_line(0))
    deleted = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "InvoiceLine", AuditEvent.action == "delete"
        )
    ).one()
    assert deleted.company_id == company.id


def test_granting_a_company_to_a_user_is_audited(session, company):
    user = factories.make_user(session, "finance")
    other = factories.make_company(session, name="Zweite GmbH")
    user.companies.append(other)
    session.flush()
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "User",
            AuditEvent.action == "update",
            AuditEvent.entity_id == str(user.id),
        )
    ).one()
    assert event.before == {"companies": []}
    assert event.after == {"companies": ["Zweite GmbH"]}

"""A tax rate that invoices use is history: its percentage and category never change."""

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle, tax_rates
from tests import factories


def test_unused_rate_may_change(session, vat19):
    vat19.percentage = Decimal("20")
    tax_rates.check_rate_change(session, vat19)


def test_used_rate_keeps_its_percentage(session, draft, vat19):
    vat19.percentage = Decimal("20")
    with pytest.raises(DomainError, match="Create a new rate"):
        tax_rates.check_rate_change(session, vat19)


def test_renaming_a_used_rate_is_fine(session, draft, vat19):
    vat19.name = "Standard rate"
    tax_rates.check_rate_change(session, vat19)


def test_database_refuses_to_bring_a_void_invoice_back(session, finance, issued):
    lifecycle.void(session, finance, issued, "duplicate")
    with pytest.raises(DBAPIError, match="frozen"), session.begin_nested():
        session.execute(
            text("UPDATE invoices SET status = 'issued' WHERE id = :id"), {"id": issued.id}
        )
    session.refresh(issued)
    assert issued.status == "void"


def test_issued_credit_note_has_no_due_date(session, finance, issued):
    note = lifecycle.credit_in_full(session, finance, issued, factories.ISSUE_DAY)
    assert note.due_date is None

"""Drafts have documented limits, refused with a message naming the field."""

from decimal import Decimal as D

import pytest

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import drafts
from backoffice.services.invoicing.draft_limits import MAX_LINES, MAX_TEXT
from models import InvoiceLine
from tests import factories
from tests.factories import line


def _lines(vat19, count: int) -> list[InvoiceLine]:
    return [
        InvoiceLine(description="Item", quantity=D(1), unit_price=D(1), tax_rate_id=vat19.id)
        for _ in range(count)
    ]


def test_a_draft_takes_at_most_the_documented_number_of_lines(session, finance, customer, vat19):
    draft = factories.make_draft(session, finance, customer, lines=[])
    # As the screen saves a form: all lines at once, checked and priced once.
    factories.edit_draft(
        session, finance, draft, lambda d: d.lines.extend(_lines(vat19, MAX_LINES))
    )
    with pytest.raises(
        DomainError, match=f"at most {MAX_LINES + 1} lines|at most {MAX_LINES} lines"
    ):
        factories.edit_draft(session, finance, draft, lambda d: d.lines.extend(_lines(vat19, 1)))
    with pytest.raises(DomainError, match=f"at most {MAX_LINES} lines") as refused:
        drafts.add_line(session, finance, draft, line(vat19))
    assert refused.value.field == "lines"
    assert len(draft.lines) == MAX_LINES


@pytest.mark.parametrize("field", ["notes", "terms"])
def test_notes_and_terms_have_a_length_limit(session, finance, customer, field):
    text = "x" * (MAX_TEXT[field] + 1)
    with pytest.raises(DomainError, match=f"at most {MAX_TEXT[field]} characters") as refused:
        drafts.create_draft(session, finance, customer, **{field: text})
    assert refused.value.field == field


def test_a_line_description_has_a_length_limit(session, finance, customer, vat19):
    draft = factories.make_draft(session, finance, customer, lines=[])
    long_line = line(vat19, description="y" * (MAX_TEXT["description"] + 1))
    with pytest.raises(DomainError, match="Description: at most 1000 characters"):
        drafts.add_line(session, finance, draft, long_line)


def test_a_form_that_grows_a_draft_past_the_limits_is_refused(session, finance, customer, vat19):
    draft = factories.make_draft(session, finance, customer)
    with pytest.raises(DomainError, match="Notes: at most"):
        factories.edit_draft(session, finance, draft, lambda d: setattr(d, "notes", "n" * 6000))
    assert draft.notes != "n" * 6000

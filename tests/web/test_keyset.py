"""Seek conditions walk a list with NULLs in its sort column, each row exactly once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backoffice.admin.keyset import decode_cursor, encode_cursor, seek_clause
from models import Invoice
from tests import factories


@pytest.fixture
def dated_and_undated(db_session, customer, users):
    """Drafts without an issue date, and drafts sharing issue dates (ties)."""
    invoices = []
    for n in range(14):
        draft = factories.make_draft(db_session, users["finance"], customer, lines=[])
        if n % 3:
            draft.issue_date = date(2026, 1, 1) + timedelta(days=n // 4)
        invoices.append(draft)
    db_session.flush()
    return invoices


@pytest.mark.parametrize("descending", [True, False])
def test_walking_by_cursor_returns_the_whole_order_once(db_session, dated_and_undated, descending):
    column, key = Invoice.issue_date, Invoice.id
    order = (column.desc(), key.desc()) if descending else (column.asc(), key.asc())
    everything = select(Invoice).order_by(*order)
    expected = [invoice.id for invoice in db_session.scalars(everything)]
    seen: list[int] = []
    query = everything.limit(4)
    while rows := db_session.scalars(query).all():
        seen += [row.id for row in rows]
        last = decode_cursor(encode_cursor(rows[-1].issue_date, rows[-1].id), date)
        query = everything.where(seek_clause(column, key, descending, *last)).limit(4)
    assert seen == expected


def test_a_cursor_round_trips_each_sort_type_and_refuses_garbage():
    for value, python_type in [(date(2026, 3, 1), date), ("Zoë & Co", str), (None, str), (7, int)]:
        assert decode_cursor(encode_cursor(value, 42), python_type) == (value, 42)
    assert decode_cursor("bm90IGpzb24", str) is None
    assert decode_cursor(encode_cursor("2026-13-40", 1), date) is None

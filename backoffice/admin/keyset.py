"""Keyset (seek) paging: the rows after a given row in the list's order, found by index.

OFFSET walks every skipped row and shifts when rows are added meanwhile; a seek condition
("after this row's sort value and id") reads only the page and returns each row once however
the list grows. A cursor is that last row's value and id, as an opaque URL token.
"""

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, or_, tuple_
from sqlalchemy.sql.elements import ColumnElement

# How a sort value read back from a token becomes the column's Python type again.
_PARSERS = {
    date: date.fromisoformat,
    datetime: datetime.fromisoformat,
    Decimal: Decimal,
    int: int,
    str: str,
}


def encode_cursor(value: Any, row_id: int) -> str:
    """The token naming a row by its sort value and id."""
    text = (
        None if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
    )
    raw = json.dumps([text, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, python_type: type) -> tuple[Any, int] | None:
    """The sort value and id a token names, or None when it is not one of ours."""
    parse = _PARSERS.get(python_type)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        text, row_id = json.loads(raw)
        if not isinstance(row_id, int) or parse is None:
            return None
        return (None if text is None else parse(text)), row_id
    except (binascii.Error, ValueError, TypeError, InvalidOperation, UnicodeDecodeError):
        return None


def seek_clause(
    column: Any, id_column: Any, descending: bool, value: Any, row_id: int
) -> ColumnElement[bool]:
    """Rows after (value, row_id) in the order column, id, both ascending or both descending.

    PostgreSQL sorts NULLs last ascending and first descending; the row comparison serves
    non-NULL values from the (column, id) index, NULLs get their own branch.
    """
    if descending:
        if value is None:
            return or_(and_(column.is_(None), id_column < row_id), column.is_not(None))
        return tuple_(column, id_column) < tuple_(value, row_id)
    if value is None:
        return and_(column.is_(None), id_column > row_id)
    return or_(tuple_(column, id_column) > tuple_(value, row_id), column.is_(None))

"""When the reports may add up the summary rows (migration 0025) instead of the documents.

Triggers keep per company the month's figures and the open balances in the same transaction
as each change, so a summary row holds exactly what the detailed query would add up for its
month. A period of whole months reads those rows (a few thousand, not a year of documents);
a period that starts or ends inside a month reads the documents.
"""

from typing import Any

from sqlalchemy import ColumnElement

from .documents import Books
from .periods import Period, bucket_end, month_start


def whole_months(period: Period) -> bool:
    """The period starts on the first of a month and ends on the last of one."""
    return period.start.day == 1 and period.end == bucket_end(month_start(period.end), "month")


def months_in(table: Any, books: Books, period: Period) -> list[ColumnElement[bool]]:
    """The summary rows of the company's months in a whole-month period."""
    return [
        table.company_id == books.company_id,
        table.month >= period.start,
        table.month <= period.end,
    ]

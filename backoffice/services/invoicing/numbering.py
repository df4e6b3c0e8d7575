"""Gapless invoice numbers: a locked counter row per company and series, never a sequence."""

from datetime import date
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import NumberingSeries

from ..errors import DomainError

SERIES = NumberingSeries.__table__.c

# Takes the next number of the company's default series for :kind, dated :issue_date, as part
# of the one statement that issues (issuing.py). It checks that numbers follow issue dates and
# counts on; its row lock is held until the issuing transaction ends, so concurrent issuers of
# the series queue here: it must run last, right before the commit. A rollback gives the
# number back: no gaps, no duplicates. A waiting issuer re-reads the row once the lock is
# released, so it checks its date against the number issued just before its own. No row comes
# back when the series is missing or the date is too early: refusal() says which.
# The reference is format_reference's, in SQL (:issue_year is the year as text).
NEXT_NUMBER_SQL = """
    UPDATE numbering_series
    SET last_number = last_number + 1, last_issue_date = :issue_date
    WHERE company_id = :company_id AND kind = :kind AND is_default
        AND (last_issue_date IS NULL OR last_issue_date <= :issue_date)
    RETURNING id AS series_id, last_number AS number,
        prefix || :issue_year || '-'
            || lpad(CAST(last_number AS text),
                    greatest(padding, length(CAST(last_number AS text))), '0') AS reference
"""


def next_number_params(company_id: int, kind: str, issue_date: date) -> dict:
    """The parameters of NEXT_NUMBER_SQL."""
    return {
        "company_id": company_id,
        "kind": kind,
        "issue_date": issue_date,
        "issue_year": str(issue_date.year),
    }


def refusal(session: Session, company_id: int, kind: str) -> NoReturn:
    """Say why no number was taken: no default series, or a date before the series' last."""
    series = session.execute(
        select(SERIES.code, SERIES.last_issue_date).where(
            SERIES.company_id == company_id, SERIES.kind == kind, SERIES.is_default.is_(True)
        )
    ).one_or_none()
    if series is None:
        raise DomainError(
            f"The company has no default numbering series for {kind.replace('_', ' ')}s."
        )
    raise DomainError(
        f"Numbers follow issue dates: series {series.code} was last used on "
        f"{series.last_issue_date}, so this one cannot be issued with an earlier date.",
        "issue_date",
    )


def format_reference(prefix: str, padding: int, number: int, issue_date: date) -> str:
    """Render a number for people: prefix, issue year and zero-padded counter."""
    return f"{prefix}{issue_date.year}-{number:0{padding}d}"

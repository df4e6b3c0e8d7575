"""Gapless invoice numbers: a locked counter row per company and series, never a sequence."""

from dataclasses import dataclass
from datetime import date
from typing import NoReturn

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models import NumberingSeries

from ..errors import DomainError

SERIES = NumberingSeries.__table__.c


@dataclass(frozen=True)
class TakenNumber:
    series_id: int
    number: int
    reference: str


def take_number(session: Session, company_id: int, kind: str, issue_date: date) -> TakenNumber:
    """Take the next number of the company's default series for kind, dated issue_date.

    One UPDATE checks that numbers follow issue dates and counts on. Its row lock is held
    until the issuing transaction ends, so concurrent issuers of the series queue here: take
    the number last, right before the commit. A rollback gives the number back: no gaps, no
    duplicates. A waiting issuer re-reads the row once the lock is released, so it checks its
    date against the number issued just before its own.
    """
    taken = session.execute(
        update(NumberingSeries.__table__)
        .where(
            SERIES.company_id == company_id,
            SERIES.kind == kind,
            SERIES.is_default.is_(True),
            or_(SERIES.last_issue_date.is_(None), SERIES.last_issue_date <= issue_date),
        )
        .values(last_number=SERIES.last_number + 1, last_issue_date=issue_date)
        .returning(SERIES.id, SERIES.prefix, SERIES.padding, SERIES.last_number)
    ).one_or_none()
    if taken is None:
        _refuse(session, company_id, kind)
    return TakenNumber(
        series_id=taken.id,
        number=taken.last_number,
        reference=format_reference(taken.prefix, taken.padding, taken.last_number, issue_date),
    )


def _refuse(session: Session, company_id: int, kind: str) -> NoReturn:
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

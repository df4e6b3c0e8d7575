"""Gapless invoice numbers: a locked counter row per company and series, never a sequence."""

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import NumberingSeries

from ..errors import DomainError


def default_series(session: Session, company_id: int, kind: str) -> NumberingSeries:
    """Return the company's default series for invoices or credit notes."""
    series = session.scalars(
        select(NumberingSeries).where(
            NumberingSeries.company_id == company_id,
            NumberingSeries.kind == kind,
            NumberingSeries.is_default.is_(True),
        )
    ).one_or_none()
    if series is None:
        raise DomainError(
            f"The company has no default numbering series for {kind.replace('_', ' ')}s."
        )
    return series


def take_next_number(session: Session, series_id: int) -> int:
    """Increment the series counter and return the new number.

    The UPDATE holds the row lock until the issuing transaction ends, so concurrent issuers
    queue here, and a rollback gives the number back: no gaps, no duplicates.
    """
    table = NumberingSeries.__table__
    return session.execute(
        update(table)
        .where(table.c.id == series_id)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()


def format_reference(series: NumberingSeries, number: int, issue_date: date) -> str:
    """Render a number for people: prefix, issue year and zero-padded counter."""
    return f"{series.prefix}{issue_date.year}-{number:0{series.padding}d}"

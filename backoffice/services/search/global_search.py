"""The search box's answer: hits grouped by kind of record, or why there are none."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from .finders import Hit, find_customers, find_invoices, find_payments
from .terms import Terms, normalise, problem_with

Finder = Callable[[Session, frozenset[int] | None, Terms], list[Hit]]

# In the order people look for them: a number quoted on the phone first.
GROUPS: tuple[tuple[str, Finder], ...] = (
    ("Invoices", find_invoices),
    ("Customers", find_customers),
    ("Payments", find_payments),
)


@dataclass(frozen=True)
class Group:
    title: str
    hits: list[Hit]


@dataclass(frozen=True)
class Results:
    """The non-empty groups, and a message for people when there is nothing to show."""

    groups: list[Group]
    message: str = ""


def search(session: Session, company_ids: frozenset[int] | None, raw: str) -> Results:
    """Find what the text names among the records of these companies (None: all companies)."""
    text = normalise(raw)
    if not text:
        return Results(groups=[])
    problem = problem_with(text)
    if problem is not None:
        return Results(groups=[], message=problem)
    terms = Terms(text)
    _plan_for_indexes(session)
    groups = [
        Group(title, hits)
        for title, finder in GROUPS
        if (hits := finder(session, company_ids, terms))
    ]
    return Results(groups=groups, message="" if groups else f"Nothing matches “{text}”.")


def _plan_for_indexes(session: Session) -> None:
    """Keep the finders on their indexes, until the (request's) transaction ends."""
    # (Each statement is planned for its pattern: backoffice/config.py turns off psycopg's
    # prepared statements, whose generic plans could use no index.)
    # A common fragment makes a sequential scan that stops after CANDIDATES matches look
    # cheap, but it runs ILIKE on every row it passes: 5x slower than the trigram index.
    session.execute(sql_text("SET LOCAL enable_seqscan = off"))

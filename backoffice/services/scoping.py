"""Company scope: which companies a user may see, and the one helper that restricts queries to them.

Several companies live in one install; staff are granted companies one by one, admins see all.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false

from models import Role, User

from .errors import PermissionDenied

Statement = TypeVar("Statement", bound=Any)  # a select() or a legacy Query: both have .where
ScopeClause = Callable[[frozenset[int]], ColumnElement[bool]]


def visible_company_ids(user: User) -> frozenset[int] | None:
    """Return the companies a user may see, or None when an admin sees them all."""
    if user.role == Role.ADMIN:
        return None
    return frozenset(company.id for company in user.companies)


def may_see_company(user: User, company_id: int | None) -> bool:
    """Tell whether a record of this company is visible to the user."""
    company_ids = visible_company_ids(user)
    return company_ids is None or company_id in company_ids


def require_company(user: User, company_id: int) -> None:
    """Refuse access to a company the user has not been granted."""
    if not may_see_company(user, company_id):
        raise PermissionDenied("You do not have access to this company.")


def in_companies(column: Any) -> ScopeClause:
    """The scope of a model whose rows carry their company in column."""
    return lambda company_ids: column.in_(company_ids)


def scoped(statement: Statement, user: User, clause: ScopeClause) -> Statement:
    """Restrict a query to the rows of the user's companies; a user with none sees nothing."""
    return within(statement, visible_company_ids(user), clause)


def within(
    statement: Statement, company_ids: frozenset[int] | None, clause: ScopeClause
) -> Statement:
    """Restrict a query to these companies (None: all of them); no company means no rows."""
    if company_ids is None:
        return statement
    return statement.where(clause(company_ids) if company_ids else false())

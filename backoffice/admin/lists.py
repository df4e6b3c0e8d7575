"""List pages that stay fast at a million rows: capped counts and a bound on deep pages.

Flask-Admin counts every matching row exactly and pages with OFFSET: at a million invoices
each page paid for a full count and deep pages walked every skipped row. Here a list counts
at most COUNT_CAP rows ("10,000+"; the exact figure on demand) and shows pages only that
far: beyond it, a filter or a search finds rows faster than paging does.
"""

from typing import Any
from urllib.parse import urlencode

from flask import flash, request
from sqlalchemy import func, literal
from sqlalchemy.orm import selectinload

COUNT_CAP = 10_000
EXACT_COUNT_ARG = "exact_count"


class CappedCount(int):
    """A row count that stopped at the cap: it pages like a number and reads "10,000+"."""

    def __str__(self) -> str:
        return f"{COUNT_CAP:,}+"


def capped_count(query: Any) -> int:
    """Count the query's rows, but stop at COUNT_CAP + 1."""
    rows = query.order_by(None).with_entities(literal(1)).limit(COUNT_CAP + 1).subquery()
    count = query.session.query(func.count()).select_from(rows).scalar()
    return CappedCount(count) if count > COUNT_CAP else count


def last_page(page_size: int) -> int:
    """The deepest page (0-based) shown without a filter or a search."""
    return max(0, (COUNT_CAP - 1) // page_size)


class ScaledListMixin:
    """get_list with a capped count and bounded paging, for Flask-Admin SQLAlchemy views."""

    list_template = "admin/scaled_list.html"

    def get_list(
        self,
        page: int | None,
        sort_column: Any,
        sort_desc: bool,
        search: str | None,
        filters: Any,
        execute: bool = True,
        page_size: int | None = None,
    ) -> tuple[int | None, Any]:
        joins: dict = {}
        count_joins: dict = {}
        query, count_query = self.get_query(), self.get_count_query()
        if self._search_supported and search:
            query, count_query, joins, count_joins = self._apply_search(
                query, count_query, joins, count_joins, search
            )
        if filters and self._filters:
            query, count_query, joins, count_joins = self._apply_filters(
                query, count_query, joins, count_joins, filters
            )
        exact = request.args.get(EXACT_COUNT_ARG) == "1"
        count = count_query.scalar() if exact else capped_count(query)
        size = page_size or self.page_size
        if page and not exact and page > last_page(size):
            flash(
                f"Only the first {COUNT_CAP:,} rows are paged through: narrow the list with a "
                "filter or the search to reach the rest.",
                "info",
            )
            page = last_page(size)
        # The page's related rows (the customer column) in one query of their own, not a join.
        for relation in self._auto_joins:
            query = query.options(selectinload(relation))
        query, joins = self._apply_sorting(query, joins, sort_column, sort_desc)
        query = self._apply_pagination(query, page, page_size)
        return count, (query.all() if execute else query)

    def _apply_sorting(self, query: Any, joins: Any, sort_column: Any, sort_desc: bool) -> Any:
        # Rows that tie on the sorted column keep one order from page to page (the primary
        # key breaks the tie, in the same direction, so one index serves both).
        query, joins = super()._apply_sorting(query, joins, sort_column, sort_desc)
        if sort_column is None:
            default = list(self._get_default_order())
            sort_desc = default[-1][2] if default else False
        key = self.model.id
        return query.order_by(key.desc() if sort_desc else key.asc()), joins

    def render(self, template: str, **kwargs: Any) -> Any:
        if isinstance(kwargs.get("count"), CappedCount):
            args = request.args.to_dict() | {EXACT_COUNT_ARG: "1"}
            kwargs["exact_count_url"] = f"{request.path}?{urlencode(args)}"
        return super().render(template, **kwargs)

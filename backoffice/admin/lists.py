"""List pages that stay fast at a million rows: capped counts, bounded offsets, seek paging.

Flask-Admin counts every matching row exactly and pages with OFFSET: at a million invoices
each page paid for a full count and deep pages walked every skipped row. Here a list counts
at most COUNT_CAP rows ("10,000+"; the exact figure on demand) and numbers pages only that
far; past them, "Next rows" pages by keyset (see keyset.py) in the list's own order.
"""

from typing import Any
from urllib.parse import urlencode

from flask import flash, g, request
from sqlalchemy import func, literal
from sqlalchemy.orm import selectinload

from .keyset import decode_cursor, encode_cursor, seek_clause

COUNT_CAP = 10_000
EXACT_COUNT_ARG = "exact_count"
AFTER_ARG = "after"


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
        seek = self._seek_order(sort_column, sort_desc)
        after = self._cursor(seek)
        if after is not None:
            column, descending = seek
            query, page = query.filter(seek_clause(column, self.model.id, descending, *after)), None
        elif page and not exact and page > last_page(size):
            flash(
                f"Pages are numbered for the first {COUNT_CAP:,} rows: use Next rows on the "
                "last one to go on, or narrow the list with a filter or the search.",
                "info",
            )
            page = last_page(size)
        # The page's related rows (the customer column) in one query of their own, not a join.
        for relation in self._auto_joins:
            query = query.options(selectinload(relation))
        query, joins = self._apply_sorting(query, joins, sort_column, sort_desc)
        query = self._apply_pagination(query, page, page_size)
        if not execute:
            return count, query
        rows = query.all()
        g.list_seek = {"keyset": after is not None}
        deep = after is not None or (isinstance(count, CappedCount) and page == last_page(size))
        if seek is not None and deep and len(rows) == size:
            g.list_seek["next"] = encode_cursor(getattr(rows[-1], seek[0].key), rows[-1].id)
        return count, rows

    def _seek_order(self, sort_column: Any, sort_desc: bool) -> tuple[Any, bool] | None:
        """The sorted column and direction when seek paging can follow it (a column of the
        model's own table, no join), else None."""
        if sort_column is None:
            default = list(self._get_default_order())
            if len(default) != 1:
                return None
            column, joins, sort_desc = default[0]
        else:
            column = self._sortable_columns.get(sort_column)
            joins = self._sortable_joins.get(sort_column)
        if joins or getattr(column, "class_", None) is not self.model:
            return None
        return column, sort_desc

    def _cursor(self, seek: tuple[Any, bool] | None) -> tuple[Any, int] | None:
        token = request.args.get(AFTER_ARG)
        if not token or seek is None:
            return None
        cursor = decode_cursor(token, seek[0].type.python_type)
        if cursor is None:
            flash("That page link is out of date or damaged: here is the first page.", "info")
        return cursor

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
        seek = g.get("list_seek", {})
        kwargs["keyset_page"] = seek.get("keyset", False)
        if "next" in seek:
            args = request.args.to_dict() | {AFTER_ARG: seek["next"]}
            args.pop("page", None)
            kwargs["next_rows_url"] = f"{request.path}?{urlencode(args)}"
        if kwargs["keyset_page"]:
            args = {k: v for k, v in request.args.items() if k not in (AFTER_ARG, "page")}
            kwargs["first_page_url"] = f"{request.path}?{urlencode(args)}"
        return super().render(template, **kwargs)

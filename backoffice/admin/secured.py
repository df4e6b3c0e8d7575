"""The base admin view: role checks on every endpoint and company scoping on every query."""

import logging
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.validators import Unique
from flask_login import current_user
from sqlalchemy import ColumnElement, func, inspect
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy
from wtforms.fields.core import UnboundField

from models import Base

from ..database import read_session
from ..extensions import db
from ..services import audit
from ..services.errors import DomainError, PermissionDenied
from ..services.permissions import Action, can
from ..services.scoping import in_companies, require_company, scoped
from ..services.spreadsheets import escape_formula
from .formatting import EXPORT_TYPE_FORMATTERS, TYPE_FORMATTERS
from .lists import ScaledListMixin

# Which permission attribute guards each Flask-Admin endpoint. Flask-Admin itself answers a
# disabled can_* with a redirect and checks nothing on ajax_update, so every write is gated here.
ENDPOINT_PERMISSIONS = {
    "create_view": "create_permission",
    "edit_view": "edit_permission",
    "ajax_update": "edit_permission",
    "delete_view": "delete_permission",
    "export": "export_permission",
}
MAX_ID = 2**31 - 1  # ids are PostgreSQL integers
REQUEST_SESSION = LocalProxy(lambda: db.session)
log = logging.getLogger(__name__)


def refuse(what: str, action: Action | None = None, reason: str | None = None) -> None:
    """Audit and log a refused request, then answer 403. The page explains the action's rule,
    or gives the reason a service wrote for the person."""
    log.warning(
        "Refused %s %s to %s: %s",
        request.method,
        request.path,
        getattr(current_user, "email", "anonymous"),
        what,
    )
    audit.record(db.session, "access.refused", detail=f"{request.method} {request.path}: {what}")
    db.session.commit()
    g.refused_action, g.refusal_reason = action, reason
    abort(403)


class SecuredModelView(ScaledListMixin, ModelView):
    """A model screen whose permissions come from the permission table, never from the UI."""

    view_permission: Action = Action.VIEW
    create_permission: Action | None = None
    edit_permission: Action | None = None
    delete_permission: Action | None = None
    export_permission: Action | None = Action.EXPORT
    # Eager loads for a single row's page (details, edit), e.g. an invoice's lines.
    one_row_options: tuple = ()
    # Custom endpoints (method name -> action) checked before they run.
    endpoint_actions: dict[str, Action] = {}
    # The list, its search, filters, count and export may read the replica (DATABASE_REPLICA_URL).
    # Details, edit, delete and inline edit load rows through get_one: always the primary.
    list_reads_replica = False

    can_view_details = True
    can_set_page_size = True
    # 25 rows: rendering a list page is most of its cost (50 rows took twice the CPU); 50
    # and 100 are a click away.
    page_size = 25
    page_size_options = (25, 50, 100)
    export_types = ["csv"]
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    # No bulk actions: Flask-Admin's bulk delete binds ids as text, which PostgreSQL refuses
    # to compare with integer keys, and deleting is rare (drafts only) anyway.
    action_disallowed_list = ["delete"]

    def _allowed(self, permission: Action | None) -> bool:
        return permission is not None and can(current_user, permission)

    # Flask-Admin reads these to decide what to show; _handle_view enforces the same rules.
    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self._allowed(self.create_permission)

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self._allowed(self.edit_permission)

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return self._allowed(self.delete_permission)

    @property
    def can_export(self) -> bool:  # type: ignore[override]
        return self._allowed(self.export_permission)

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and can(current_user, self.view_permission)

    def inaccessible_callback(self, name: str, **kwargs: Any):
        if not current_user.is_authenticated:
            if request.method != "GET":
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        refuse(f"{self.name}: no access", self.view_permission)

    def _handle_view(self, name: str, **kwargs: Any):
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        permission_attr = ENDPOINT_PERMISSIONS.get(name)
        if permission_attr and not self._allowed(getattr(self, permission_attr)):
            refuse(f"{self.name}: {name}", getattr(self, permission_attr))
        if name in self.endpoint_actions and not self._allowed(self.endpoint_actions[name]):
            refuse(f"{self.name}: {name}", self.endpoint_actions[name])
        if name == "action_view":
            # Only the actions offered to this role (is_action_allowed) run; Flask-Admin's
            # own bulk delete is never offered.
            offered = dict(self.get_actions_list()[0])
            if request.form.get("action") not in offered:
                refuse(f"{self.name}: bulk action {request.form.get('action', '')[:40]!r}")
        return None

    # Scoping: every list, count, lookup and single-row load sees only visible companies.
    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        """Restrict the model to the given companies; views without a company override this."""
        return self.model.company_id.in_(company_ids)

    def get_list(self, *args: Any, **kwargs: Any):
        # Flask-Admin's get_list calls get_query and get_count_query without arguments:
        # the request remembers which session they build on while it runs.
        g.list_session = read_session() if self.list_reads_replica else db.session
        try:
            return super().get_list(*args, **kwargs)
        finally:
            g.pop("list_session")

    def query_session(self) -> Session:
        """The list's session while get_list runs (maybe the replica's), else the primary's."""
        return g.get("list_session") or db.session

    def get_query(self):
        query = self.query_session().query(self.model)
        return scoped(query, current_user, self.scope_clause)

    def get_count_query(self):
        query = self.query_session().query(func.count("*")).select_from(self.model)
        return scoped(query, current_user, self.scope_clause)

    def get_one(self, id: Any):
        # The base get_one loads by primary key and skips get_query: rows of other companies
        # would leak into details, edit and delete.
        try:
            key = int(id)
        except (TypeError, ValueError):
            return None
        if not 0 < key <= MAX_ID:  # PostgreSQL would refuse to compare it: not found either
            return None
        query = self.get_query().filter(self.model.id == key)
        return query.options(*self.one_row_options).one_or_none()

    def get_export_value(self, model: Any, name: Any) -> Any:
        value = super().get_export_value(model, name)
        # Relation columns come back as objects and become text only later, unescaped.
        return escape_formula(str(value) if isinstance(value, Base) else value)

    def scaffold_form(self) -> Any:
        form_class = super().scaffold_form()
        # Flask-Admin gives its Unique validators the session of the app context open while
        # the views were added; that one session would then serve every request and thread.
        for name in dir(form_class):
            field = getattr(form_class, name)
            if isinstance(field, UnboundField):
                for validator in field.kwargs.get("validators", []):
                    if isinstance(validator, Unique):
                        validator.db_session = REQUEST_SESSION
        return form_class

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, PermissionDenied):
            # A crafted form got past the endpoint gate but not the rule: nothing it set may
            # be committed with the audit event.
            db.session.rollback()
            refuse(exc.message, reason=exc.message)
        if isinstance(exc, DomainError):
            flash(exc.message, "error")
            return True
        return super().handle_view_exception(exc)


class CompanyScopedModelView(SecuredModelView):
    """A screen whose rows belong to a company the user must have access to."""

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        if model.company is None:
            raise DomainError("Choose a company.", "company")
        require_company(current_user, model.company.id)
        if not is_created and inspect(model).attrs.company.history.has_changes():
            # Invoices point at it; moving it would hand them to another company's staff.
            raise DomainError("A record cannot move to another company.", "company")


def scoped_query(model: type) -> Any:
    """A query factory for relation fields: only rows of companies the user may see."""
    column = model.id if model.__name__ == "Company" else model.company_id
    return lambda: scoped(db.session.query(model), current_user, in_companies(column))


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """A relation picker that finds rows as the user types, among their companies' rows only.

    A select listing every row is rendered, loaded and checked once per inline line: with
    500 lines and a large catalogue, saving a draft grew with lines x rows.
    """

    def __init__(self, name: str, model: type, **options: Any) -> None:
        super().__init__(name, REQUEST_SESSION, model, **options)

    def get_query(self) -> Any:
        return scoped_query(self.model)()

    def get_one(self, pk: Any) -> Any:
        # Another company's id posted by hand is not found, as if it did not exist.
        if not str(pk).isdigit() or int(pk) > MAX_ID:
            return None
        with db.session.no_autoflush:
            return self.get_query().filter(self.model.id == int(pk)).one_or_none()

"""The invoice screen: list, drafts with inline lines, and the page with its action buttons."""

from datetime import date
from typing import Any

from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.contrib.sqla.filters import IntEqualFilter
from flask_login import current_user
from sqlalchemy import false
from sqlalchemy.orm import selectinload
from wtforms import HiddenField
from wtforms.validators import Optional

from models import Customer, Invoice, InvoiceLine

from ...extensions import db
from ...services.errors import DomainError, PermissionDenied
from ...services.invoicing import drafts, vat_categories
from ...services.invoicing.status import (
    is_overdue,
)
from ...services.permissions import Action, can
from ...services.scoping import visible_company_ids
from ...services.search.invoice_list import invoice_list_clause
from ...services.search.terms import Terms, normalise, problem_with
from .. import validators
from ..bulk.actions import BulkActionsMixin
from ..dates import optional_iso_date
from ..delivery.actions import DeliveryMixin
from ..form_rules import Included, RenderedHidden
from ..formatting import money_column
from ..payments.card_link import CardLinkMixin
from ..payments.recording import PaymentMixin
from ..search.view import SCRIPTS
from ..secured import ScopedAjaxLoader, SecuredModelView, refuse
from .columns import balance_column, reference_column, status_column
from .entry import EntryMixin, ask_for_rate, currency_optional
from .filters import TaxRateFilter
from .lifecycle import LifecycleMixin
from .lines import LineForm
from .page import page_context


class InvoiceAdmin(
    EntryMixin,
    LifecycleMixin,
    PaymentMixin,
    CardLinkMixin,
    DeliveryMixin,
    BulkActionsMixin,
    SecuredModelView,
):
    create_permission = edit_permission = Action.EDIT_DRAFT
    delete_permission = Action.DELETE_DRAFT
    endpoint_actions = (
        LifecycleMixin.lifecycle_actions
        | PaymentMixin.payment_actions
        | CardLinkMixin.card_link_actions
        | DeliveryMixin.delivery_actions
        | EntryMixin.entry_actions
        | BulkActionsMixin.bulk_actions
    )

    list_reads_replica = True
    list_template = "admin/invoice_list.html"
    details_template = "admin/invoice_details.html"
    edit_template = "admin/invoice_edit.html"
    create_template = "admin/invoice_create.html"
    column_list = [
        "reference",
        "kind",
        "customer",
        "status",
        "issue_date",
        "due_date",
        "currency",
        "total_amount",
        "balance_amount",
    ]
    column_labels = {
        "balance_amount": "Balance",
        "total_amount": "Total",
        "reference": "Number",
        "po_reference": "Purchase order",
        "original_invoice": "Corrects invoice",
    }
    column_searchable_list = ["reference", "po_reference", "customer.name"]
    column_filters = [
        "status",
        "kind",
        "currency",
        "issue_date",
        "due_date",
        "customer.name",
        "company.name",
        # By id, for the reports' links to the invoices behind a figure.
        IntEqualFilter(Invoice.customer_id, "Customer id"),
        IntEqualFilter(Invoice.company_id, "Company id"),
        TaxRateFilter(Invoice.id, "Tax rate"),
    ]
    column_sortable_list = [
        "reference",
        "kind",
        "status",
        "issue_date",
        "due_date",
        "currency",
        "total_amount",
        ("customer", "customer.name"),
    ]
    # Newest first, drafts (no date yet) on top: ix_invoices_company_issue_date read backwards.
    column_default_sort = ("issue_date", True)
    column_formatters = {
        "total_amount": money_column,
        "balance_amount": balance_column,
        "reference": reference_column,
        "status": status_column,
    }
    form_columns = [
        "customer",
        "currency",
        "exchange_rate",
        "issue_date",
        "due_date",
        "po_reference",
        "notes",
        "terms",
        "expected_version",
    ]
    # The header, the lines and their figures, then the free text.
    form_create_rules = form_edit_rules = (
        "customer",
        "currency",
        "exchange_rate",
        "issue_date",
        "due_date",
        "po_reference",
        "lines",
        Included("admin/_invoice_live_totals.html"),
        "notes",
        "terms",
        RenderedHidden("expected_version"),
    )
    # The version the editor saw: saving over someone else's newer changes is refused.
    form_extra_fields = {"expected_version": HiddenField()}
    # Found as the user types (name, VAT id or email): a select of 100,000 customers made the
    # draft's page megabytes.
    form_ajax_refs = {
        "customer": ScopedAjaxLoader(
            "customer",
            Customer,
            fields=["name", "vat_id", "email"],
            order_by="name",
            placeholder="Type a name, VAT id or email",
        )
    }
    form_args = {
        "customer": {"validators": [validators.found]},
        "currency": {
            "filters": [validators.upper],
            "validators": [Optional(), validators.currency],
            "description": "Optional: filled in from the customer; empty means the "
            "customer's currency.",
        },
        "issue_date": optional_iso_date("Empty: the day it is issued."),
        "due_date": optional_iso_date("Filled in from the customer's payment terms."),
        "po_reference": {"label": "Purchase order"},
        "exchange_rate": {
            "description": "Base-currency units per unit of the invoice currency; needed to "
            "issue in a foreign currency.",
        },
    }
    inline_models = [LineForm(InvoiceLine)]
    # The lines with their products and rates in two queries, not two per line.
    one_row_options = (
        selectinload(Invoice.lines).selectinload(InvoiceLine.product),
        selectinload(Invoice.lines).selectinload(InvoiceLine.tax_rate),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The entry form's script, from our own static files (the CSP allows no other).
        super().__init__(*args, static_folder=str(SCRIPTS), **kwargs)
        self.static_url_path = "/static"  # ModelView takes no such argument

    # Flask-Admin wraps every view in its access check (_handle_view), which has run for
    # these already: the base views are called unwrapped, so it does not run (and load the
    # invoice) twice.
    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        return self.save_then_issue(lambda: super(InvoiceAdmin, self).create_view.__wrapped__(self))

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        return self.save_then_issue(lambda: super(InvoiceAdmin, self).edit_view.__wrapped__(self))

    def _handle_view(self, name: str, **kwargs: Any):
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        if name == "edit_view":
            invoice = self.get_one(request.args.get("id"))
            if invoice is not None and not invoice.is_draft:
                flash(f"{invoice} is {invoice.status}: issued invoices are read-only.", "error")
                return redirect(self.get_url(".details_view", id=invoice.id))
        return None

    def search_placeholder(self) -> str:
        return "Number, PO, customer name, VAT id or email"

    def _apply_search(self, query, count_query, joins, count_joins, search: str):
        # One search over number, purchase order and customer, each through its index
        # (services/search/invoice_list.py), instead of ILIKE on every column.
        text = normalise(search)
        problem = problem_with(text)
        if problem is not None:
            flash(f"Search: {problem}", "error")
            clause = false()
        else:
            clause = invoice_list_clause(db.session, visible_company_ids(current_user), Terms(text))
        return query.filter(clause), count_query.filter(clause), joins, count_joins

    def create_form(self, obj: Any = None) -> Any:
        return currency_optional(super().create_form(obj))

    def edit_form(self, obj: Any = None) -> Any:
        form = currency_optional(super().edit_form(obj))
        if request.method == "GET" and obj is not None:
            form.expected_version.data = str(obj.version)
        if obj is not None:
            ask_for_rate(form, obj)
        return form

    def validate_form(self, form: Any) -> bool:
        valid = super().validate_form(form)
        if hasattr(form, "due_date"):
            try:
                drafts.check_dates(form.issue_date.data, form.due_date.data)
            except DomainError as exc:
                form.due_date.errors = [*form.due_date.errors, exc.message]
                valid = False
        return valid

    def update_model(self, form: Any, model: Invoice) -> bool:
        # Checked before the form is copied in: copying can autoflush and move the version.
        if form.expected_version.data != str(model.version):
            self.handle_view_exception(
                DomainError(
                    f"{model} changed since you opened it; reload it and make your changes again."
                )
            )
            return False
        return super().update_model(form, model)

    def on_model_change(self, form: Any, invoice: Invoice, is_created: bool) -> None:
        # Flask-Admin deletes removed inline lines from the session but leaves them in the
        # collection, where they would still count towards the totals.
        for line in [line for line in invoice.lines if line in db.session.deleted]:
            invoice.lines.remove(line)
        drafts.prepare_draft(db.session, current_user, invoice, is_created=is_created)

    def on_model_delete(self, invoice: Invoice) -> None:
        drafts.delete_draft(db.session, current_user, invoice)

    def delete_model(self, model: Invoice) -> bool:
        # delete_draft already removed it; the base class would delete it a second time.
        try:
            self.on_model_delete(model)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            if isinstance(exc, PermissionDenied):
                refuse(exc.message)
            if not self.handle_view_exception(exc):
                raise
            return False
        self.after_model_delete(model)
        return True

    def render(self, template: str, **kwargs: Any) -> str:
        model = kwargs.get("model")
        if isinstance(model, Invoice):
            kwargs.update(page_context(model))
        kwargs.update(
            may_issue=can(current_user, Action.ISSUE),
            may_send=can(current_user, Action.SEND),
            today=date.today(),
            is_overdue=is_overdue,
            vat_labels=vat_categories.LABELS,
        )
        return super().render(template, **kwargs)

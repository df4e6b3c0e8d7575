"""Invoicing settings for admins: tax rates and numbering series."""

from typing import Any

from sqlalchemy import ColumnElement, inspect, true
from wtforms.validators import Regexp

from models import Company, InvoiceKind, NumberingSeries, TaxCategory, TaxRate

from ...extensions import db
from ...services.errors import DomainError
from ...services.invoicing import tax_rates, vat_categories
from ...services.permissions import Action
from .. import validators
from ..secured import CompanyScopedModelView, SecuredModelView, scoped_query


class TaxRateAdmin(SecuredModelView):
    create_permission = edit_permission = delete_permission = Action.MANAGE_SETTINGS
    column_list = ["name", "country", "percentage", "category", "exemption_code", "is_active"]
    column_filters = ["country", "category", "is_active"]
    column_default_sort = "country"
    column_labels = {
        "category": "VAT category",
        "exemption_code": "Exemption reason code",
        "exemption_reason": "Exemption reason (printed on the invoice)",
    }
    form_columns = [
        "name",
        "country",
        "category",
        "percentage",
        "exemption_code",
        "exemption_reason",
        "is_active",
    ]
    form_choices = {
        "category": [(category.value, vat_categories.LABELS[category]) for category in TaxCategory],
        "exemption_code": [
            (code, f"{code}: {text}") for code, (_, text) in vat_categories.VATEX.items()
        ],
    }
    form_args = {
        "country": validators.COUNTRY,
        "exemption_code": {
            "description": "Needed for exempt, reverse charge, intra-community, export and "
            "not-subject rates (EN 16931); the reason's text is filled in from it.",
        },
    }

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return true()

    def on_model_change(self, form: Any, model: TaxRate, is_created: bool) -> None:
        tax_rates.check_rate(db.session, model)


class NumberingSeriesAdmin(CompanyScopedModelView):
    view_permission = create_permission = edit_permission = Action.MANAGE_SETTINGS
    column_list = ["company", "code", "kind", "prefix", "padding", "last_number", "is_default"]
    column_default_sort = "code"
    # The counter is never typed in: editing it would break gapless numbering.
    form_columns = ["company", "code", "kind", "prefix", "padding", "is_default"]
    form_choices = {
        "kind": [
            (InvoiceKind.INVOICE.value, "Invoices"),
            (InvoiceKind.CREDIT_NOTE.value, "Credit notes"),
        ]
    }
    form_args = {
        "company": {"query_factory": scoped_query(Company)},
        "prefix": {
            "filters": [validators.upper],
            "validators": [
                Regexp(
                    r"^[A-Z0-9][A-Z0-9/_.-]{0,19}$",
                    message="Use letters, digits and / _ . - only, e.g. INV-.",
                )
            ],
        },
    }

    def on_model_change(self, form: Any, model: NumberingSeries, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        state = inspect(model)
        if model.last_number and state.attrs.kind.history.has_changes():
            raise DomainError("A series that has issued numbers keeps its kind.", "kind")

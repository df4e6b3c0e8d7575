"""Admin screens for the reference data: companies, users, customers, products, settings, audit."""

from typing import Any

from flask_login import current_user
from sqlalchemy import ColumnElement, inspect, select, true
from wtforms import PasswordField
from wtforms.validators import Length, Optional, Regexp

from models import (
    AuditEvent,
    Company,
    Customer,
    Invoice,
    NumberingSeries,
    Payment,
    Product,
    TaxRate,
    User,
)

from ..extensions import db
from ..services import tax_rates, users
from ..services.errors import DomainError
from ..services.permissions import Action, require_company
from . import validators
from .secured import SecuredModelView, scoped_query

COUNTRY = {
    "filters": [validators.upper],
    "validators": [Regexp(r"^[A-Z]{2}$", message="Use a two-letter ISO country code.")],
}
CURRENCY = {"filters": [validators.upper], "validators": [validators.currency]}


class CompanyScopedModelView(SecuredModelView):
    """A screen whose rows belong to a company the user must have access to."""

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        if model.company is None:
            raise DomainError("Choose a company.", "company")
        require_company(current_user, model.company.id)
        if not is_created and inspect(model).attrs.company.history.has_changes():
            # Invoices point at it; moving it would hand them to another company's staff.
            raise DomainError("A record cannot move to another company.", "company")


class CompanyAdmin(SecuredModelView):
    create_permission = edit_permission = delete_permission = Action.MANAGE_SETTINGS
    column_list = ["name", "country", "base_currency", "tax_id", "default_payment_terms_days"]
    column_searchable_list = ["name", "tax_id"]
    column_filters = ["country", "base_currency"]
    column_default_sort = "name"
    form_excluded_columns = ["series", "created_at"]
    form_args = {
        "country": COUNTRY,
        "base_currency": CURRENCY,
        "iban": {"validators": [validators.iban]},
    }

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return Company.id.in_(company_ids)


class UserAdmin(SecuredModelView):
    view_permission = create_permission = edit_permission = delete_permission = (
        Action.MANAGE_SETTINGS
    )
    column_list = ["email", "name", "role", "is_active", "last_login_at"]
    column_searchable_list = ["email", "name"]
    column_filters = ["role", "is_active"]
    column_default_sort = "email"
    column_exclude_list = ["password_hash"]
    column_details_exclude_list = ["password_hash"]
    column_export_exclude_list = ["password_hash"]
    form_columns = ["email", "name", "role", "is_active", "companies", "password"]
    form_extra_fields = {
        "password": PasswordField(
            "Password",
            validators=[Optional(), Length(min=users.MIN_PASSWORD_LENGTH)],
            description="Leave empty to keep the current password.",
        )
    }
    form_choices = {
        "role": [(role, role.title()) for role in ("admin", "finance", "support", "manager")]
    }

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return true()

    def on_model_change(self, form: Any, model: User, is_created: bool) -> None:
        model.email = users.normalize_email(model.email)
        if form.password.data:
            model.password_hash = users.hash_password(form.password.data)
        elif is_created:
            raise DomainError("Set a password for the new user.", "password")


class CustomerAdmin(CompanyScopedModelView):
    create_permission = edit_permission = Action.EDIT_CUSTOMER
    delete_permission = Action.DELETE_CUSTOMER
    column_list = [
        "name",
        "company",
        "country",
        "currency",
        "vat_id",
        "email",
        "payment_terms_days",
    ]
    column_searchable_list = ["name", "email", "vat_id", "city"]
    column_filters = ["country", "currency", "language", "company.name"]
    column_sortable_list = ["name", "country", "currency", ("company", "company.name")]
    column_default_sort = "name"
    form_columns = [
        "company",
        "name",
        "address",
        "postal_code",
        "city",
        "country",
        "email",
        "vat_id",
        "currency",
        "payment_terms_days",
        "language",
    ]
    form_choices = {"language": [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]}
    form_args = {
        "company": {"query_factory": scoped_query(Company)},
        "country": COUNTRY,
        "currency": CURRENCY,
        "vat_id": {"validators": [validators.vat_id("country")], "label": "VAT id"},
        "email": {"description": "Invoice recipients, separated by commas."},
    }


class ProductAdmin(CompanyScopedModelView):
    create_permission = edit_permission = delete_permission = Action.EDIT_PRODUCT
    column_list = ["code", "name", "company", "unit", "unit_price", "default_tax_rate", "is_active"]
    column_searchable_list = ["code", "name"]
    column_filters = ["is_active", "unit", "company.name"]
    column_default_sort = "code"
    form_columns = [
        "company",
        "code",
        "name",
        "description",
        "unit",
        "unit_price",
        "default_tax_rate",
        "is_active",
    ]
    form_args = {"company": {"query_factory": scoped_query(Company)}}


class TaxRateAdmin(SecuredModelView):
    create_permission = edit_permission = delete_permission = Action.MANAGE_SETTINGS
    column_list = ["name", "country", "percentage", "category", "is_active"]
    column_filters = ["country", "category", "is_active"]
    column_default_sort = "country"
    form_choices = {
        "category": [
            (c, c.replace("_", " ").title())
            for c in ("standard", "reduced", "zero", "exempt", "reverse_charge")
        ]
    }
    form_args = {"country": COUNTRY}

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return true()

    def on_model_change(self, form: Any, model: TaxRate, is_created: bool) -> None:
        tax_rates.check_rate_change(db.session, model)


class NumberingSeriesAdmin(CompanyScopedModelView):
    view_permission = create_permission = edit_permission = Action.MANAGE_SETTINGS
    column_list = ["company", "code", "kind", "prefix", "padding", "last_number", "is_default"]
    column_default_sort = "code"
    # The counter is never typed in: editing it would break gapless numbering.
    form_columns = ["company", "code", "kind", "prefix", "padding", "is_default"]
    form_choices = {"kind": [("invoice", "Invoices"), ("credit_note", "Credit notes")]}
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


class PaymentAdmin(SecuredModelView):
    """Payments are recorded from the invoice screen; this list is for reading and export."""

    column_list = [
        "invoice",
        "payment_date",
        "amount",
        "method",
        "reference",
        "source",
        "created_by",
    ]
    column_searchable_list = ["reference"]
    column_filters = ["payment_date", "method", "source"]
    column_default_sort = ("payment_date", True)

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return Payment.invoice_id.in_(select(Invoice.id).where(Invoice.company_id.in_(company_ids)))


class AuditEventAdmin(SecuredModelView):
    """Read-only for every role: the trail is append-only."""

    column_list = [
        "occurred_at",
        "user_email",
        "ip_address",
        "action",
        "entity_type",
        "entity_id",
        "detail",
    ]
    column_searchable_list = ["user_email", "action", "entity_type", "entity_id"]
    column_filters = ["action", "entity_type", "user_email", "occurred_at"]
    column_default_sort = ("occurred_at", True)
    column_details_list = [
        "occurred_at",
        "user_email",
        "user_id",
        "ip_address",
        "company_id",
        "action",
        "entity_type",
        "entity_id",
        "detail",
        "before",
        "after",
    ]

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return AuditEvent.company_id.in_(company_ids)


def register(admin: Any) -> None:
    """Add the reference-data screens to the admin."""
    session = db
    admin.add_view(CustomerAdmin(Customer, session, category="Records", endpoint="customer"))
    admin.add_view(ProductAdmin(Product, session, category="Records", endpoint="product"))
    admin.add_view(PaymentAdmin(Payment, session, category="Records", endpoint="payment"))
    admin.add_view(CompanyAdmin(Company, session, category="Settings", endpoint="company"))
    admin.add_view(UserAdmin(User, session, category="Settings", endpoint="user"))
    admin.add_view(
        TaxRateAdmin(TaxRate, session, category="Settings", name="Tax rates", endpoint="taxrate")
    )
    admin.add_view(
        NumberingSeriesAdmin(
            NumberingSeries,
            session,
            category="Settings",
            name="Numbering series",
            endpoint="numberingseries",
        )
    )
    admin.add_view(AuditEventAdmin(AuditEvent, session, name="Audit", endpoint="auditevent"))

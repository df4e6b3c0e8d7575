"""Settings screens for admins: companies and users."""

from typing import Any

from sqlalchemy import ColumnElement, true
from wtforms import PasswordField
from wtforms.validators import Length, Optional

from models import Company, Role, User

from ..services import users
from ..services.errors import DomainError
from ..services.permissions import Action
from . import validators
from .secured import SecuredModelView


class CompanyAdmin(SecuredModelView):
    create_permission = edit_permission = delete_permission = Action.MANAGE_SETTINGS
    column_list = ["name", "country", "base_currency", "tax_id", "default_payment_terms_days"]
    column_searchable_list = ["name", "tax_id"]
    column_filters = ["country", "base_currency"]
    column_default_sort = "name"
    form_excluded_columns = ["series", "created_at"]
    column_labels = {"tax_id": "VAT id", "registration_id": "Legal registration id"}
    column_descriptions = {
        "registration_id": "E.g. HRB 12345 B or a SIREN; e-invoices not subject to VAT name "
        "the company by it (EN 16931 BT-30).",
    }
    form_args = {
        "country": validators.COUNTRY,
        "base_currency": validators.CURRENCY,
        "iban": {"validators": [validators.iban]},
        "email": {"validators": [validators.emails]},
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
    form_choices = {"role": [(role.value, role.value.title()) for role in Role]}

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return true()

    def on_model_change(self, form: Any, model: User, is_created: bool) -> None:
        model.email = users.normalize_email(model.email)
        if form.password.data:
            model.password_hash = users.hash_password(form.password.data)
        elif is_created:
            raise DomainError("Set a password for the new user.", "password")

"""Settings screens for admins: companies."""

from typing import Any

from sqlalchemy import ColumnElement

from models import Company

from ..extensions import db
from ..services.invoicing import exchange_rates
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
    column_labels = {
        "tax_id": "VAT id",
        "registration_id": "Legal registration id",
        "require_two_factor": "Require two-factor sign-in",
        "is_card_payment_enabled": "Card payments (Stripe)",
    }
    column_descriptions = {
        "registration_id": "E.g. HRB 12345 B or a SIREN; e-invoices not subject to VAT name "
        "the company by it (EN 16931 BT-30).",
        "require_two_factor": "Admins and finance staff of this company must sign in with an "
        "authenticator app code after their password; they set it up at their next click.",
        "is_card_payment_enabled": "Invoice emails carry a Pay by card link to a Stripe "
        "Checkout page for the open balance (needs STRIPE_SECRET_KEY and STRIPE_SUCCESS_URL).",
    }
    form_args = {
        "country": validators.COUNTRY,
        "base_currency": validators.CURRENCY,
        "iban": {"validators": [validators.iban]},
        "email": {"validators": [validators.emails]},
    }

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return Company.id.in_(company_ids)

    def on_model_change(self, form: Any, model: Company, is_created: bool) -> None:
        exchange_rates.check_base_currency_change(db.session, model)

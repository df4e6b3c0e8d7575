"""Settings > Bank accounts: each company's accounts, their IBAN and CSV column mapping."""

from typing import Any

from models import Company

from ...services.payments.bank import accounts
from ...services.permissions import Action
from .. import validators
from ..secured import CompanyScopedModelView, scoped_query

CSV_HELP = "A header's text, or the column's position counting from 1."


class BankAccountAdmin(CompanyScopedModelView):
    """Admins set accounts up; finance reads them and imports into them."""

    create_permission = edit_permission = Action.MANAGE_SETTINGS
    column_list = ["name", "company", "iban", "currency"]
    column_labels = {"iban": "IBAN"}
    column_default_sort = "name"
    form_columns = [
        "company",
        "name",
        "iban",
        "currency",
        "csv_delimiter",
        "csv_header_rows",
        "csv_date_column",
        "csv_date_format",
        "csv_amount_column",
        "csv_debit_column",
        "csv_credit_column",
        "csv_currency_column",
        "csv_reference_column",
        "csv_text_column",
        "csv_counterparty_column",
        "csv_counterparty_iban_column",
        "csv_decimal_comma",
        "csv_thousands_separator",
    ]
    column_details_list = [*form_columns, "created_at"]
    form_args: dict[str, Any] = {
        "company": {"query_factory": scoped_query(Company)},
        "iban": {"label": "IBAN"},
        "currency": validators.CURRENCY,
        "csv_delimiter": {"label": "CSV delimiter", "description": "; , | or tab"},
        "csv_header_rows": {"label": "Header rows", "description": "Rows before the first line."},
        "csv_date_format": {"label": "Date format", "description": "e.g. %d.%m.%Y or %Y-%m-%d"},
        "csv_decimal_comma": {"label": "Decimal comma (1.234,56)"},
        "csv_thousands_separator": {
            "label": "Thousands separator",
            "description": "Empty, a dot, a comma, a space or '",
        },
        **{
            f"csv_{name}_column": {
                "label": f"{name.replace('_', ' ').capitalize()} column",
                "description": CSV_HELP,
            }
            for name in (
                "date",
                "amount",
                "debit",
                "credit",
                "currency",
                "reference",
                "text",
                "counterparty",
                "counterparty_iban",
            )
        },
    }
    form_args["csv_amount_column"]["description"] = (
        f"Signed amount (negative: money out); or leave empty and use debit and credit. {CSV_HELP}"
    )
    form_args["csv_text_column"]["label"] = "Remittance text column"
    form_args["csv_counterparty_iban_column"]["label"] = "Counterparty IBAN column"

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        for name in self.form_columns:
            if name.startswith("csv_") and getattr(model, name) is None:
                setattr(model, name, "" if name != "csv_header_rows" else 0)
        accounts.check_account(model)

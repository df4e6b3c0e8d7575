"""The records invoices are made of: customers and products, per company."""

from typing import Any

from models import Company, EInvoiceFormat

from ...services.permissions import Action
from .. import validators
from ..payments.credit_ledger import credit_context
from ..secured import CompanyScopedModelView, scoped_query
from ..sync.state import sync_state


class CustomerAdmin(CompanyScopedModelView):
    create_permission = edit_permission = Action.EDIT_CUSTOMER
    delete_permission = Action.DELETE_CUSTOMER
    list_reads_replica = True
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
        "einvoice_format",
    ]
    column_details_list = [*form_columns, "created_at", "updated_at"]
    column_labels = {"vat_id": "VAT id", "einvoice_format": "E-invoice"}
    # Below the details: the customer's credit (admin/payments/credit_ledger.py).
    details_template = "admin/customer_details.html"
    form_choices = {
        "language": [("en", "English"), ("de", "Deutsch"), ("fr", "Français")],
        "einvoice_format": [
            (EInvoiceFormat.NONE.value, "None: the PDF only"),
            (EInvoiceFormat.FACTURX.value, "Factur-X / ZUGFeRD (PDF with EN 16931 XML)"),
            (EInvoiceFormat.UBL.value, "UBL 2.1 for Peppol, beside the PDF"),
        ],
    }
    form_args = {
        "company": {"query_factory": scoped_query(Company)},
        "country": validators.COUNTRY,
        "currency": validators.CURRENCY,
        "vat_id": {"validators": [validators.vat_id("country")], "label": "VAT id"},
        "email": {
            "description": "Invoice recipients, separated by commas.",
            "validators": [validators.emails],
        },
    }

    def render(self, template: str, **kwargs: Any) -> str:
        if template == self.details_template:
            kwargs.update(credit_context(kwargs["model"]), **sync_state(kwargs["model"]))
        return super().render(template, **kwargs)


class ProductAdmin(CompanyScopedModelView):
    create_permission = edit_permission = delete_permission = Action.EDIT_PRODUCT
    list_reads_replica = True
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

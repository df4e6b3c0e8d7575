"""The records invoices are made of: customers and products, per company."""

from typing import Any

from markupsafe import Markup, escape

from models import Company, Customer, EInvoiceFormat

from ...extensions import db
from ...services.invoicing.status import refunds_due
from ...services.money import format_money
from ...services.permissions import Action
from .. import validators
from ..secured import CompanyScopedModelView, scoped_query


def refund_due_column(view: Any, context: Any, model: Customer, name: str) -> Markup:
    """What the customer is owed back (credit notes on paid invoices), per currency."""
    owed = refunds_due(db.session, model.id)
    if not owed:
        return Markup('<span class="text-muted">nothing</span>')
    amounts = ", ".join(format_money(amount, currency) for currency, amount in owed.items())
    return Markup('<span class="badge badge-warning">{}</span>').format(escape(amounts))


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
    column_details_list = [*form_columns, "refund_due", "created_at", "updated_at"]
    column_labels = {"refund_due": "Refund due", "vat_id": "VAT id", "einvoice_format": "E-invoice"}
    column_formatters_detail = {"refund_due": refund_due_column}
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

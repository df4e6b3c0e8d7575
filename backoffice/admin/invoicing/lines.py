"""The draft's lines, edited inline on the invoice form."""

from flask import g
from flask_admin.model.form import InlineFormAdmin
from sqlalchemy import select

from models import Product, TaxRate

from ...extensions import db
from .. import validators
from ..secured import ScopedAjaxLoader


def tax_rate_choices() -> list[TaxRate]:
    """The tax rates a line may pick, loaded once per request however many lines there are."""
    if "tax_rate_choices" not in g:
        g.tax_rate_choices = db.session.scalars(
            select(TaxRate).order_by(
                TaxRate.is_active.desc(), TaxRate.country, TaxRate.percentage.desc()
            )
        ).all()
    return g.tax_rate_choices


class LineForm(InlineFormAdmin):
    form_columns = [
        "id",
        "product",
        "description",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "tax_rate",
    ]
    form_label = "Line"
    form_overrides = {
        "quantity": validators.PlainDecimalField,
        "unit_price": validators.PlainDecimalField,
        "discount_percent": validators.PlainDecimalField,
    }
    # Looked up as the user types: a select of the whole catalogue on every line made the
    # form, and saving it, grow with lines x products.
    form_ajax_refs = {
        "product": ScopedAjaxLoader(
            "product",
            Product,
            fields=["code", "name"],
            order_by="code",
            placeholder="Type a product code or name",
        )
    }
    form_args = {
        "product": {"validators": [validators.found]},
        # Inactive rates stay choosable: a credit note copies the rates its invoice charged.
        "tax_rate": {"query_factory": tax_rate_choices},
        "discount_percent": {"default": 0, "label": "Discount %"},
    }

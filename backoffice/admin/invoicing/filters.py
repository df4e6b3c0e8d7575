"""An invoice list filter Flask-Admin has no kind for: the tax report links to it."""

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_admin.contrib.sqla.filters import FilterEqual
from sqlalchemy import select

from models import InvoiceTaxTotal


class TaxRateFilter(FilterEqual):
    """Documents with a tax row at a rate and category, typed as "19 S" (percent, category)."""

    def clean(self, value: str) -> tuple[Decimal, str]:
        parts = value.split()
        if len(parts) != 2:
            raise ValueError("a rate and a category, e.g. 19 S")
        try:
            percentage = Decimal(parts[0])
        except InvalidOperation:
            raise ValueError("a rate in percent, e.g. 19") from None
        if not percentage.is_finite() or not 0 <= percentage <= 100:
            raise ValueError("a rate from 0 to 100 percent")
        return percentage, parts[1].upper()

    def apply(self, query: Any, value: tuple[Decimal, str], alias: Any = None) -> Any:
        percentage, category = value
        taxed = select(InvoiceTaxTotal.id).where(
            InvoiceTaxTotal.invoice_id == self.get_column(alias),
            InvoiceTaxTotal.percentage == percentage,
            InvoiceTaxTotal.category == category,
        )
        return query.filter(taxed.exists())

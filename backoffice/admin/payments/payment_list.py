"""The payments list: for reading and export; payments are recorded on the invoice screen."""

from typing import Any

from flask_admin.contrib.sqla.filters import IntEqualFilter
from sqlalchemy import ColumnElement, select

from models import Invoice, Payment

from ..secured import SecuredModelView


class CompanyIdFilter(IntEqualFilter):
    """Payments of one company (they carry it through their invoice), for the reports' links."""

    def apply(self, query: Any, value: int, alias: Any = None) -> Any:
        return query.filter(
            Payment.invoice_id.in_(select(Invoice.id).where(Invoice.company_id == value))
        )


class PaymentAdmin(SecuredModelView):
    """Payments are recorded from the invoice screen; this list is for reading and export."""

    list_reads_replica = True
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
    column_filters = [
        "payment_date",
        "method",
        "source",
        CompanyIdFilter(Invoice.company_id, "Company id"),
    ]
    column_default_sort = ("payment_date", True)

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return Payment.invoice_id.in_(select(Invoice.id).where(Invoice.company_id.in_(company_ids)))

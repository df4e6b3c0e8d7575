"""The payments list: for reading and export; payments are recorded on the invoice screen."""

from sqlalchemy import ColumnElement, select

from models import Invoice, Payment

from ..secured import SecuredModelView


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
    column_filters = ["payment_date", "method", "source"]
    column_default_sort = ("payment_date", True)

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return Payment.invoice_id.in_(select(Invoice.id).where(Invoice.company_id.in_(company_ids)))

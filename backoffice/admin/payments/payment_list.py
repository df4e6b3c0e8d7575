"""The payments list: for reading and export; payments are recorded on the invoice screen.

Filters: method, source and payment date, each served by an index that follows the list's
order (newest first), the company (the reports' links), and whether a payment was booked
from a bank statement line (reconciled; the link table's primary key answers per payment).
"""

from typing import Any

from flask_admin.contrib.sqla.filters import BaseSQLAFilter, IntEqualFilter
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import selectinload

from models import BankTransactionPayment, Payment, PaymentMethod, PaymentSource

from ...services.money import format_money
from ..secured import SecuredModelView
from ..sync.state import sync_state


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


def amount_column(view: Any, context: Any, model: Payment, name: str) -> Markup:
    """The amount in the invoice's currency; a reversed one struck through."""
    amount = escape(format_money(model.amount, model.invoice.currency))
    return Markup("<s>{}</s>").format(amount) if model.reversed_by else amount


def note_column(view: Any, context: Any, model: Payment, name: str) -> Markup:
    """Reversed, a reversal, or a move to or from customer credit, with its reason."""
    if model.reversed_by is not None:
        return Markup('<span class="badge badge-secondary">reversed</span> {}').format(
            model.reversed_by.reason
        )
    if model.reverses_id is not None:
        return Markup('<span class="badge badge-secondary">reversal</span> {}').format(model.reason)
    return escape(model.reason)


class ReconciledFilter(BaseSQLAFilter):
    """Booked from a bank statement line, or not (typed by hand, card, customer credit)."""

    def __init__(self) -> None:
        super().__init__(
            Payment.id,
            "Reconciliation",
            options=[("bank", "booked from a bank line"), ("none", "not from a bank line")],
        )

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        linked = exists().where(BankTransactionPayment.payment_id == Payment.id)
        return query.filter(linked if value == "bank" else ~linked)

    def operation(self) -> str:
        return "is"


class PaymentAdmin(SecuredModelView):
    """Payments are recorded from the invoice screen; this list is for reading and export."""

    list_reads_replica = True
    column_list = [
        "invoice",
        "payment_date",
        "amount",
        "method",
        "source",
        "reference",
        "reason",
        "created_by",
    ]
    column_labels = {"payment_date": "Date", "reason": "Note", "created_by": "By"}
    column_searchable_list = ["reference"]
    column_filters = [
        "method",
        "source",
        "payment_date",
        IntEqualFilter(Payment.company_id, "Company id"),
        ReconciledFilter(),
    ]
    # Filters offer the closed vocabularies as lists, not free text.
    column_choices = {"method": _choices(PaymentMethod), "source": _choices(PaymentSource)}
    column_default_sort = ("payment_date", True)
    # Only the order an index serves: sorting a million payments by reference or amount
    # reads them all.
    column_sortable_list = ["payment_date"]
    column_formatters = {"amount": amount_column, "reason": note_column}
    column_export_list = [
        "invoice",
        "payment_date",
        "amount",
        "invoice.currency",
        "method",
        "source",
        "reference",
        "reason",
        "reverses_id",
        "created_by",
    ]
    # Plain values in the CSV (escaped against formulas by SecuredModelView), not the HTML above.
    column_formatters_export = {}

    # Below the details: where the payment stands in the accounting systems.
    details_template = "admin/payment_details.html"

    def render(self, template: str, **kwargs: Any) -> str:
        if template == self.details_template:
            kwargs.update(sync_state(kwargs["model"]))
        return super().render(template, **kwargs)

    def get_query(self):
        # Each row says whether it was reversed: one query for the page, not one per row.
        return super().get_query().options(selectinload(Payment.reversed_by))

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return Payment.company_id.in_(company_ids)

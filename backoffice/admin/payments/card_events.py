"""Card events: what Stripe reported and what was done with it, read-only."""

from typing import Any

from flask import url_for
from markupsafe import Markup
from sqlalchemy import ColumnElement

from models import StripeEvent

from ..secured import SecuredModelView


def invoice_column(view: Any, context: Any, model: StripeEvent, name: str) -> Markup | str:
    """The invoice's number, linking to its page, where a payment is booked by hand."""
    if model.invoice is None:
        return ""
    link = url_for("invoice.details_view", id=model.invoice_id)
    return Markup('<a href="{}">{}</a>').format(link, model.invoice.reference)


class StripeEventAdmin(SecuredModelView):
    """Finance looks here for events marked "needs attention" and books them by hand."""

    list_reads_replica = True
    column_list = ["received_at", "outcome", "invoice", "detail", "event_type", "event_id"]
    column_labels = {
        "received_at": "Received",
        "event_type": "Stripe event",
        "event_id": "Event id",
    }
    column_formatters = {
        "outcome": lambda view, context, model, name: model.outcome.replace("_", " ").capitalize(),
        "invoice": invoice_column,
    }
    column_searchable_list = ["event_id"]
    column_filters = ["outcome", "event_type", "received_at"]
    column_default_sort = ("received_at", True)

    def search_placeholder(self) -> str:
        return "Stripe event id (evt_...)"

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        # An event naming no invoice of ours has no company: only admins see it.
        return StripeEvent.company_id.in_(company_ids)

"""The audit trail screen: read-only for every role, scoped to the user's companies."""

import re
from typing import Any

from flask import url_for
from markupsafe import Markup
from sqlalchemy import ColumnElement

from models import AuditEvent

from .secured import SecuredModelView


def record_column(view: Any, context: Any, model: AuditEvent, name: str) -> Markup | str:
    """What kind of record, in words ("Invoice line"); an invoice links to its page. The
    detail beside it names the record itself (its number), never its internal id."""
    label = re.sub(r"(?<!^)(?=[A-Z])", " ", model.entity_type).capitalize()
    if model.entity_type == "Invoice" and model.entity_id.isdigit():
        link = url_for("invoice.details_view", id=model.entity_id)
        return Markup('<a href="{}">{}</a>').format(link, label)
    return label


class AuditEventAdmin(SecuredModelView):
    """Read-only for every role: the trail is append-only."""

    list_reads_replica = True
    column_list = [
        "occurred_at",
        "user_email",
        "ip_address",
        "action",
        "entity_type",
        "detail",
    ]
    column_labels = {
        "entity_type": "Record",
        "entity_id": "Record id",
        "user_email": "By",
        "occurred_at": "When",
        "ip_address": "IP address",
    }
    column_formatters = {"entity_type": record_column}
    column_searchable_list = ["user_email", "action", "entity_type", "entity_id"]
    column_filters = ["action", "entity_type", "user_email", "occurred_at"]
    column_default_sort = ("occurred_at", True)
    column_details_list = [
        "occurred_at",
        "user_email",
        "user_id",
        "ip_address",
        "company_id",
        "action",
        "entity_type",
        "entity_id",
        "detail",
        "before",
        "after",
    ]

    def search_placeholder(self) -> str:
        return "Who (email), action or kind of record"

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return AuditEvent.company_id.in_(company_ids)

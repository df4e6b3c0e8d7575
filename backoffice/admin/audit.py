"""The audit trail screen: read-only for every role, scoped to the user's companies."""

from sqlalchemy import ColumnElement

from models import AuditEvent

from .secured import SecuredModelView


class AuditEventAdmin(SecuredModelView):
    """Read-only for every role: the trail is append-only."""

    list_reads_replica = True
    column_list = [
        "occurred_at",
        "user_email",
        "ip_address",
        "action",
        "entity_type",
        "entity_id",
        "detail",
    ]
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

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return AuditEvent.company_id.in_(company_ids)

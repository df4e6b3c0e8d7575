"""Audit trail: every flushed change and every explicit event, in the same transaction."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction, object_session

from models import AuditEvent, Base, Invoice, utcnow

# Sealed accounting secrets stay out of the trail too: a copy of it is no copy of the tokens.
# So do a user's sealed TOTP secret and recovery codes' digests: the trail outlives a reset
# of the second factor, and its sealing key derives from SECRET_KEY.
REDACTED_COLUMNS = frozenset(
    {
        "password_hash",
        "client_secret_sealed",
        "access_token_sealed",
        "refresh_token_sealed",
        "totp_secret",
        "code_digest",
    }
)
# Columns an explicit event already records (the "login" event is the last login): a change
# to these alone writes no generic "update" event.
RECORDED_BY_EVENTS = frozenset({"last_login_at"})


@dataclass(frozen=True)
class Actor:
    """Who is acting, kept in session.info["actor"] by the request or job that owns the session."""

    user_id: int | None
    email: str
    ip_address: str = ""


SYSTEM = Actor(user_id=None, email="system")


def set_actor(session: Session, actor: Actor) -> None:
    """Attribute the session's following changes to actor."""
    session.info["actor"] = actor


def _actor(session: Session) -> Actor:
    return session.info.get("actor", SYSTEM)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def plain_timestamp_sql(expression: str) -> str:
    """SQL rendering a timestamptz expression as text exactly as _plain renders an aware UTC
    datetime: isoformat() prints microseconds only when there are some."""
    utc = f"(({expression}) AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        f"CAST(date_part('microseconds', {utc}) AS integer) % 1000000 = 0 THEN '' "
        f"ELSE to_char({utc}, '.US') END || '+00:00'"
    )


def _columns(obj: Base) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {
        attr.key: "***" if attr.key in REDACTED_COLUMNS else _plain(getattr(obj, attr.key))
        for attr in mapper.column_attrs
    }


def _changes(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if attr.key in REDACTED_COLUMNS:
            old, new = "***", "***"
        before[attr.key], after[attr.key] = _plain(old), _plain(new)
    # Many-to-many links (a user's companies) live in their own table: record them too.
    for relation in state.mapper.relationships:
        history = state.attrs[relation.key].history
        if relation.secondary is not None and history.has_changes():
            before[relation.key] = sorted(
                str(item) for item in (*history.unchanged, *history.deleted)
            )
            after[relation.key] = sorted(str(item) for item in (*history.unchanged, *history.added))
    return before, after


def _entity_id(obj: Base) -> str:
    # Read the primary key from the columns: during after_flush a new object has its id
    # but not yet its identity key.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key if part is not None)


def _company_id(obj: Base) -> int | None:
    # Lines, tax totals and payments belong to their invoice's company: the audit screen
    # scopes by company, so they must carry it to be seen by that company's staff.
    if (company_id := getattr(obj, "company_id", None)) is not None:
        return company_id
    invoice = getattr(obj, "invoice", None)
    if invoice is None and getattr(obj, "invoice_id", None) is not None:
        # A line removed from its invoice's collection no longer points at it, but still
        # carries its id.
        invoice = object_session(obj).get(Invoice, obj.invoice_id)
    return invoice.company_id if invoice is not None else None


def _row(
    session: Session, action: str, obj: Base, before: Any, after: Any, detail: str | None = None
) -> dict[str, Any]:
    actor = _actor(session)
    company_id = _company_id(obj)
    return {
        "occurred_at": utcnow(),
        "user_id": actor.user_id,
        "user_email": actor.email,
        "ip_address": actor.ip_address,
        "company_id": company_id,
        "action": action,
        "entity_type": type(obj).__name__,
        "entity_id": _entity_id(obj),
        "before": before,
        "after": after,
        "detail": (str(obj) if detail is None else detail)[:500],
    }


def event_row(
    session: Session,
    action: str,
    entity: Base,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    """The audit row of an event on entity (detail defaults to the entity's name), for a
    statement that writes the entity and its trail at once instead of the session."""
    return _row(session, action, entity, before, after, detail)


def changes_to(obj: Base, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Before and after of setting values on obj, as its "update" event records them: the
    columns whose value differs, the way a flush's attribute history sees them."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            hidden = key in REDACTED_COLUMNS
            before[key] = "***" if hidden else _plain(old)
            after[key] = "***" if hidden else _plain(new)
    return before, after


def _audit_flush(session: Session, flush_context: UOWTransaction) -> None:
    # after_flush still sees the pre-flush new/dirty/deleted sets and attribute history,
    # and new rows have their ids by now.
    rows = []
    for obj in session.new:
        if not isinstance(obj, AuditEvent):
            rows.append(_row(session, "create", obj, None, _columns(obj)))
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) or not session.is_modified(obj):
            continue
        before, after = _changes(obj)
        if set(after) - RECORDED_BY_EVENTS:
            rows.append(_row(session, "update", obj, before, after))
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def _audit_delete(mapper: Any, connection: Connection, obj: Base) -> None:
    # A mapper event, not session.deleted: lines removed from their invoice are deleted as
    # orphans during the flush and never appear in session.deleted.
    session = object_session(obj)
    if session is not None and not isinstance(obj, AuditEvent):
        connection.execute(insert(AuditEvent), [_row(session, "delete", obj, _columns(obj), None)])


def install() -> None:
    """Audit every flush of every session (idempotent)."""
    if not event.contains(Session, "after_flush", _audit_flush):
        event.listen(Session, "after_flush", _audit_flush)
        event.listen(Base, "after_delete", _audit_delete, propagate=True)


def record(
    session: Session,
    action: str,
    *,
    entity: Base | None = None,
    detail: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    company_id: int | None = None,
    actor: Actor | None = None,
) -> None:
    """Write one explicit audit event (logins, refusals, lifecycle actions)."""
    actor = actor or _actor(session)
    entity_id = ""
    if entity is not None:
        entity_id = _entity_id(entity)
        company_id = company_id if company_id is not None else _company_id(entity)
    session.add(
        AuditEvent(
            user_id=actor.user_id,
            user_email=actor.email,
            ip_address=actor.ip_address,
            company_id=company_id,
            action=action,
            entity_type=type(entity).__name__ if entity is not None else "",
            entity_id=entity_id,
            before=before,
            after=after,
            detail=detail[:500],
        )
    )

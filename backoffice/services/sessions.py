"""Staff sessions kept on the server: who is signed in where, and ending those sessions."""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from models import StaffSession, utcnow


def _live(absolute: timedelta, now: datetime) -> ColumnElement[bool]:
    """Neither idle past its expiry nor older than `absolute`."""
    return and_(StaffSession.expires_at > now, StaffSession.created_at > now - absolute)


def load(session: Session, key: str, absolute: timedelta) -> bytes | None:
    """The data of a live session."""
    return session.scalar(
        select(StaffSession.data).where(StaffSession.key == key, _live(absolute, utcnow()))
    )


def store(
    session: Session,
    key: str,
    data: bytes,
    *,
    user_id: int | None,
    idle: timedelta,
    ip_address: str,
    user_agent: str,
) -> None:
    """Create the session or push its idle expiry on; where it started stays as first seen."""
    now = utcnow()
    values = {"data": data, "user_id": user_id, "last_seen_at": now, "expires_at": now + idle}
    statement = insert(StaffSession).values(
        key=key,
        created_at=now,
        ip_address=ip_address[:45],
        user_agent=user_agent[:300],
        **values,
    )
    session.execute(statement.on_conflict_do_update(index_elements=["key"], set_=values))


def end(session: Session, key: str, user_id: int | None = None) -> bool:
    """End one session (of that user, when given); tells whether there was one."""
    statement = delete(StaffSession).where(StaffSession.key == key)
    if user_id is not None:
        statement = statement.where(StaffSession.user_id == user_id)
    return session.execute(statement).rowcount > 0


def end_all(session: Session, user_id: int) -> int:
    """End every session of a user; returns how many there were."""
    result = session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
    return result.rowcount


def active(session: Session, user_id: int, absolute: timedelta) -> list[StaffSession]:
    """A user's live sessions, most recently used first."""
    return list(
        session.scalars(
            select(StaffSession)
            .where(StaffSession.user_id == user_id, _live(absolute, utcnow()))
            .order_by(StaffSession.last_seen_at.desc())
        )
    )


def purge_expired(session: Session, absolute: timedelta, now: datetime | None = None) -> int:
    """Delete sessions past either timeout."""
    result = session.execute(delete(StaffSession).where(~_live(absolute, now or utcnow())))
    return result.rowcount

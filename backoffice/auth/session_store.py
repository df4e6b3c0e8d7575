"""Server-side sessions: Flask-Session's interface, with the rows kept in PostgreSQL.

Flask-Session makes the random session ids, sets the cookie and regenerates the id at
login; this class only says where a session lives. PostgreSQL rather than Redis: Redis
holds work waiting to run and may be away, and nobody should be signed out when it is.
"""

import hashlib
import time
from datetime import timedelta
from typing import Any

from flask import Flask, Response, request
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..services import sessions

# A used session's idle expiry is pushed on at most this often, not on every request.
REFRESH_SECONDS = 60
PURGE_EVERY_N_REQUESTS = 1000  # on average: expired rows are deleted now and then
_FLUSHED = "flushed_since_commit"


def _user_id(session: ServerSideSession) -> int | None:
    # Flask-Login keeps "<user id>:<password token>" (models/user.py: get_id).
    user_id = str(session.get("_user_id", "")).partition(":")[0]
    return int(user_id) if user_id.isdigit() else None


def _uncommitted_writes(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get(_FLUSHED))


def _note_flush(session: Session, flush_context: Any) -> None:
    session.info[_FLUSHED] = True


def _forget_flushes(session: Session, *args: Any) -> None:
    session.info.pop(_FLUSHED, None)


def _track_flushes() -> None:
    """Remember on each session whether it flushed since its last commit or rollback."""
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "after_commit", _forget_flushes)
        event.listen(Session, "after_rollback", _forget_flushes)


class DatabaseSessionInterface(ServerSideSessionInterface):
    ttl = False  # rows do not expire by themselves: expired ones are purged

    def __init__(self, app: Flask) -> None:
        super().__init__(
            app,
            key_prefix="",
            permanent=True,
            sid_length=32,
            serialization_format="msgpack",
            cleanup_n_requests=PURGE_EVERY_N_REQUESTS,
        )
        _track_flushes()

    def _absolute(self) -> timedelta:
        return self.app.config["SESSION_ABSOLUTE_LIFETIME"]

    def _get_store_id(self, sid: str) -> str:
        # Only a digest of the cookie's id is stored: the table gives no usable cookie.
        return hashlib.sha256(sid.encode()).hexdigest()

    def should_set_storage(self, app: Flask, session: ServerSideSession) -> bool:
        stored_at = session.get("_stored_at", 0)
        return session.modified or time.time() - stored_at > REFRESH_SECONDS

    def save_session(self, app: Flask, session: ServerSideSession, response: Response) -> None:
        # The request's own database session writes the row, so a request uses one
        # connection. Writes the view left uncommitted are discarded first, as the teardown
        # would discard them: a failed request never commits half its work here. A read-only
        # request is not rolled back, so a streamed export keeps its loaded rows.
        if _uncommitted_writes(db.session):
            db.session.rollback()
        super().save_session(app, session, response)
        db.session.commit()

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        data = sessions.load(db.session, store_id, self._absolute())
        return None if data is None else self.serializer.decode(data)

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        session["_stored_at"] = int(time.time())
        sessions.store(
            db.session,
            store_id,
            self.serializer.encode(session),
            user_id=_user_id(session),
            idle=session_lifetime,
            ip_address=request.remote_addr or "",
            user_agent=request.user_agent.string,
        )

    def _delete_session(self, store_id: str) -> None:
        # At logout from save_session; at login from regenerate(), committed by the view.
        sessions.end(db.session, store_id)

    def _delete_expired_sessions(self) -> None:
        sessions.purge_expired(db.session, self._absolute())
        db.session.commit()

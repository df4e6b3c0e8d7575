"""Signed-in browser sessions, kept on the server so they can be listed and ended."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    # SHA-256 of the cookie's session id: reading this table does not give a usable cookie.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Idle timeout: pushed on while the session is used. The absolute timeout counts from
    # created_at.
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

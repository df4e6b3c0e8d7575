"""Staff accounts and the companies each may see."""

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .company import Company
from .enums import Role, check_in

user_companies = Table(
    "user_companies",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(check_in("role", Role), name="role"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Second factor (backoffice/services/two_factor.py): the TOTP secret, encrypted; the
    # last time step accepted, so no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    totp_enabled_at: Mapped[datetime | None]

    companies: Mapped[list[Company]] = relationship(secondary=user_companies)

    def __str__(self) -> str:
        return self.email

    # Flask-Login protocol, kept here so the model needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The session stores id and a digest of the password hash: changing the password
        # ends every other session of the user.
        return f"{self.id}:{self.session_token}"

    @property
    def session_token(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor (a lost phone)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64))  # HMAC-SHA-256, never the code
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

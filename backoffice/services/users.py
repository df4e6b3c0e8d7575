"""Staff accounts: argon2id password hashing and authentication."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Company, Role, User, utcnow

from .errors import DomainError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.", "password")
    return _hasher.hash(password)


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively."""
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None, without telling which part failed."""
    user = session.scalars(select(User).where(User.email == normalize_email(email))).one_or_none()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def create_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    *,
    name: str = "",
    companies: list[Company] | None = None,
) -> User:
    """Create a staff account."""
    email = normalize_email(email)
    if "@" not in email:
        raise DomainError(f"{email!r} is not an email address.", "email")
    if role not in Role.__members__.values():
        raise DomainError(f"Unknown role {role!r}; choose one of {', '.join(Role)}.", "role")
    if session.scalars(select(User).where(User.email == email)).first() is not None:
        raise DomainError(f"A user with email {email} already exists.", "email")
    user = User(
        email=email,
        role=role,
        name=name,
        password_hash=hash_password(password),
        companies=list(companies or []),
    )
    session.add(user)
    session.flush()
    return user

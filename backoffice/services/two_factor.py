"""Optional second factor: TOTP (RFC 6238, pyotp) with one-time recovery codes.

The shared secret is stored encrypted (Fernet, keyed from the app's secret) so a copy of
the database alone cannot mint codes; recovery codes are stored as digests only. A code is
accepted once: the time step it matched is remembered and older or equal steps are refused.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import Company, RecoveryCode, Role, User, user_companies, utcnow

from .errors import DomainError

ISSUER = "Invoicing back office"
RECOVERY_CODES = 10
# Codes from the step before and after the current one are accepted: clocks drift.
VALID_WINDOW = 1
ROLES_THAT_MAY_BE_REQUIRED = frozenset({Role.ADMIN.value, Role.FINANCE.value})


def _box(app_secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"backoffice totp secret"
    ).derive(app_secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matched_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return step + offset
    return None


def is_enabled(user: User) -> bool:
    return user.totp_secret is not None


def is_required(session: Session, user: User) -> bool:
    """A company of the user asks admins and finance staff for a second factor."""
    if user.role not in ROLES_THAT_MAY_BE_REQUIRED:
        return False
    # One query, without loading the user's companies: it runs on every request of an
    # admin or finance user who has not set TOTP up (backoffice/auth: require_second_factor).
    return (
        session.scalar(
            select(user_companies.c.company_id)
            .join(Company, Company.id == user_companies.c.company_id)
            .where(user_companies.c.user_id == user.id, Company.require_two_factor.is_(True))
            .limit(1)
        )
        is not None
    )


def enable(
    session: Session, user: User, secret: str, code: str, app_secret: str, now: datetime
) -> list[str]:
    """Turn TOTP on once the user proves their app shows the right code; returns the new
    recovery codes (shown once)."""
    step = _matched_step(secret, code, now)
    if step is None:
        raise DomainError(
            "That code does not match. Check the authenticator app's clock and enter the "
            "code it shows now.",
            "code",
        )
    user.totp_secret = _box(app_secret).encrypt(secret.encode()).decode()
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(session, user, app_secret)


def disable(session: Session, user: User) -> None:
    """Turn TOTP off and forget the recovery codes (the user, or an admin for a lost phone)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_enabled_at = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _code_digest(code: str, app_secret: str) -> str:
    normalized = "".join(code.split()).replace("-", "").lower()
    return hmac.new(app_secret.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def new_recovery_codes(session: Session, user: User, app_secret: str) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them for display."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "-".join(secrets.token_hex(5)[i : i + 5] for i in (0, 5)) for _ in range(RECOVERY_CODES)
    ]
    session.add_all(
        RecoveryCode(user_id=user.id, code_digest=_code_digest(code, app_secret)) for code in codes
    )
    session.flush()
    return codes


def verify(session: Session, user: User, code: str, app_secret: str, now: datetime) -> bool:
    """Accept a current TOTP code (once) or an unused recovery code (used up)."""
    if not is_enabled(user):
        return False
    try:
        secret = _box(app_secret).decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        raise DomainError(
            "This account's second factor cannot be read (the app's SECRET_KEY changed). "
            "Ask an admin to reset it."
        ) from None
    step = _matched_step(secret, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # a code already used (or an older one): replay
        user.totp_last_step = step
        return True
    recovery = session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_digest == _code_digest(code, app_secret),
            RecoveryCode.used_at.is_(None),
        )
    ).first()
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    return True


def recovery_codes_left(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )

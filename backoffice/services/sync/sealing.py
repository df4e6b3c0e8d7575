"""Secrets at rest: OAuth client secrets and tokens sealed with Fernet under SYNC_ENCRYPTION_KEY.

The setting holds one or more keys, comma-separated, the newest first: the first seals, any
opens. Rotation (README, "Accounting sync"): put a new key in front, restart, run
`flask --app wsgi sync reseal`, then drop the old key.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AccountingConnection

from ..errors import DomainError

SEALED_COLUMNS = ("client_secret_sealed", "access_token_sealed", "refresh_token_sealed")


def keyring(setting: str) -> MultiFernet:
    """The keys of SYNC_ENCRYPTION_KEY; refuses with a message for finance when there are none."""
    keys = [Fernet(part.strip()) for part in setting.split(",") if part.strip()]
    if not keys:
        raise DomainError(
            "Accounting connections are switched off: SYNC_ENCRYPTION_KEY is not set. Ask "
            "whoever runs the server to set it."
        )
    return MultiFernet(keys)


def seal(ring: MultiFernet, secret: str) -> str:
    """Encrypt a secret for storage."""
    return ring.encrypt(secret.encode()).decode()


def unseal(ring: MultiFernet, sealed: str) -> str:
    """Decrypt a stored secret; a key that was dropped too soon is named as the cause."""
    try:
        return ring.decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise DomainError(
            "A stored accounting secret cannot be opened with SYNC_ENCRYPTION_KEY (was a key "
            "dropped before `sync reseal` ran?): connect again."
        ) from None


def reseal_all(session: Session, ring: MultiFernet) -> int:
    """Seal every stored secret again under the newest key; returns the connections done."""
    connections = session.scalars(select(AccountingConnection).with_for_update()).all()
    for connection in connections:
        for column in SEALED_COLUMNS:
            if (sealed := getattr(connection, column)) is not None:
                setattr(connection, column, ring.rotate(sealed.encode()).decode())
    session.flush()
    return len(connections)

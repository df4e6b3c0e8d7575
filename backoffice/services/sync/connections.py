"""A company's connection to a provider: its sealed OAuth credentials, tokens and status."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AccountingConnection, ConnectionStatus, SyncProvider, User, utcnow

from .. import audit
from ..errors import DomainError
from ..permissions import Action, require
from ..scoping import require_company
from .http import ReconnectNeeded, Tokens
from .sealing import seal, unseal


@dataclass
class Credentials:
    """A connection's secrets, opened for one job; never printed."""

    client_id: str
    client_secret: str = field(repr=False)
    tokens: Tokens = field(repr=False)
    tenant_id: str = ""


def connect(
    session: Session,
    actor: User,
    ring: MultiFernet,
    company_id: int,
    provider: str,
    *,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    tenant_id: str,
    access_token: str = "",
    expires_at: datetime | None = None,
) -> AccountingConnection:
    """Store (or replace) a company's credentials for a provider, sealed."""
    require(actor, Action.MANAGE_SETTINGS)
    require_company(actor, company_id)
    if provider not in SyncProvider.__members__.values():
        raise DomainError(f"Unknown accounting system {provider!r}.", "provider")
    missing = [
        label
        for label, value in (
            ("client id", client_id),
            ("client secret", client_secret),
            ("refresh token", refresh_token),
            ("tenant, realm or company file id", tenant_id),
        )
        if not value.strip()
    ]
    if missing:
        raise DomainError(f"To connect, fill in: {', '.join(missing)}.")
    connection = find(session, company_id, provider) or AccountingConnection(
        company_id=company_id, provider=provider
    )
    connection.client_id = client_id.strip()
    connection.client_secret_sealed = seal(ring, client_secret.strip())
    connection.tenant_id = tenant_id.strip()
    connection.status = ConnectionStatus.CONNECTED.value
    connection.last_error = ""
    store_tokens(
        connection,
        ring,
        # No access token yet: expired, so the first call refreshes it.
        Tokens(access_token, refresh_token.strip(), expires_at if access_token else utcnow()),
    )
    session.add(connection)
    session.flush()
    audit.record(session, "sync.connect", entity=connection, detail=provider)
    return connection


def disconnect(session: Session, actor: User, connection: AccountingConnection) -> None:
    """Forget the tokens (the client credentials stay, for connecting again); pushes stop."""
    require(actor, Action.MANAGE_SETTINGS)
    require_company(actor, connection.company_id)
    connection.access_token_sealed = None
    connection.refresh_token_sealed = None
    connection.access_token_expires_at = None
    connection.status = ConnectionStatus.DISCONNECTED.value
    session.flush()
    audit.record(session, "sync.disconnect", entity=connection, detail=connection.provider)


def find(session: Session, company_id: int, provider: str) -> AccountingConnection | None:
    return session.scalars(
        select(AccountingConnection).where(
            AccountingConnection.company_id == company_id,
            AccountingConnection.provider == provider,
        )
    ).one_or_none()


def connected(session: Session, company_id: int) -> list[AccountingConnection]:
    """The company's connections that take pushes."""
    return list(
        session.scalars(
            select(AccountingConnection)
            .where(
                AccountingConnection.company_id == company_id,
                AccountingConnection.status == ConnectionStatus.CONNECTED.value,
            )
            .order_by(AccountingConnection.provider)
        )
    )


def credentials(connection: AccountingConnection, ring: MultiFernet) -> Credentials:
    """Open a connected connection's secrets."""
    if connection.status != ConnectionStatus.CONNECTED or connection.refresh_token_sealed is None:
        raise ReconnectNeeded(
            f"The {connection.provider} connection is {connection.status}: connect again."
        )
    access = connection.access_token_sealed
    return Credentials(
        client_id=connection.client_id,
        client_secret=unseal(ring, connection.client_secret_sealed),
        tokens=Tokens(
            access_token=unseal(ring, access) if access else "",
            refresh_token=unseal(ring, connection.refresh_token_sealed),
            expires_at=connection.access_token_expires_at,
        ),
        tenant_id=connection.tenant_id,
    )


def store_tokens(connection: AccountingConnection, ring: MultiFernet, tokens: Tokens) -> None:
    connection.access_token_sealed = seal(ring, tokens.access_token)
    connection.refresh_token_sealed = seal(ring, tokens.refresh_token)
    connection.access_token_expires_at = tokens.expires_at


def refresh(
    session: Session,
    connection_id: int,
    ring: MultiFernet,
    stale: Tokens,
    grant: Callable[[Credentials], Tokens],
) -> Tokens:
    """Refresh the connection's tokens once, under a row lock, and store them.

    Two jobs that find the same token expired refresh it once: the second finds the first's
    tokens and uses them (a rotated refresh token would not work twice). The caller commits
    at once, even when this raises: a refused refresh marks the connection for reconnecting.
    """
    connection = session.get(
        AccountingConnection, connection_id, with_for_update=True, populate_existing=True
    )
    opened = credentials(connection, ring)
    if opened.tokens.access_token != stale.access_token:
        return opened.tokens
    try:
        tokens = grant(opened)
    except ReconnectNeeded as exc:
        connection.status = ConnectionStatus.NEEDS_RECONNECT.value
        connection.last_error = exc.message
        session.flush()
        raise
    store_tokens(connection, ring, tokens)
    session.flush()
    return tokens

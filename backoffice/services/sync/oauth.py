"""Connecting by OAuth 2.0's authorization code (RFC 6749 §4.1): the person connecting is sent
to the provider to consent, comes back with a code, and the code becomes the tokens.

The request in between (which company, provider and client, and the state that binds the
answer to it) is sealed under SYNC_ENCRYPTION_KEY before it leaves the server in the
session cookie: the client secret is never readable there.
"""

import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

import requests
from cryptography.fernet import InvalidToken, MultiFernet

from models import SyncProvider

from ..errors import DomainError
from .clients import CREDENTIALS_IN_TOKEN_FORM
from .http import CONNECT_TIMEOUT_SECONDS, Tokens, token_request
from .sealing import seal
from .settings import SyncSettings

# What each provider's consent screen asks for: the accounting records we push.
SCOPES = {
    SyncProvider.XERO: "offline_access accounting.transactions accounting.contacts",
    SyncProvider.QUICKBOOKS: "com.intuit.quickbooks.accounting",
    SyncProvider.MYOB: "CompanyFile",
}
STATE_MAX_AGE_SECONDS = 15 * 60  # consent takes a minute; an old pending request is refused


@dataclass(frozen=True)
class PendingConnect:
    """A consent asked for and not answered yet."""

    state: str
    company_id: int
    provider: str
    client_id: str
    client_secret: str = field(repr=False)
    tenant_id: str = ""  # MYOB's company file, chosen before consent


def start(
    ring: MultiFernet,
    settings: SyncSettings,
    pending: PendingConnect,
    redirect_uri: str,
) -> tuple[str, str]:
    """The provider's consent URL, and the sealed pending request to keep in the session."""
    missing = [
        label
        for label, value in (
            ("client id", pending.client_id),
            ("client secret", pending.client_secret),
        )
        if not value.strip()
    ]
    if pending.provider == SyncProvider.MYOB and not pending.tenant_id.strip():
        missing.append("company file id")
    if missing:
        raise DomainError(f"To connect, fill in: {', '.join(missing)}.")
    query = {
        "response_type": "code",
        "client_id": pending.client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES[SyncProvider(pending.provider)],
        "state": pending.state,
    }
    url = f"{settings.endpoints[pending.provider].auth_url}?{urlencode(query)}"
    return url, seal(ring, json.dumps(asdict(pending)))


def new_state() -> str:
    return secrets.token_urlsafe(32)


def answered(ring: MultiFernet, sealed: str | None, state: str) -> PendingConnect:
    """The pending request this answer belongs to; refused unless its state matches."""
    if not sealed:
        raise DomainError("No connection was being made from this browser: start again.")
    try:
        pending = PendingConnect(
            **json.loads(ring.decrypt(sealed.encode(), ttl=STATE_MAX_AGE_SECONDS))
        )
    except (InvalidToken, ValueError, TypeError):  # expired, altered, or from another version
        raise DomainError("The connection took too long or was altered: start again.") from None
    if not hmac.compare_digest(pending.state.encode(), state.encode()):
        raise DomainError("The answer does not belong to the connection started here.")
    return pending


def exchange(
    http: requests.Session,
    settings: SyncSettings,
    pending: PendingConnect,
    code: str,
    redirect_uri: str,
) -> Tokens:
    """Trade the authorization code for the connection's tokens."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    return token_request(
        http,
        settings.endpoints[pending.provider].token_url,
        form,
        pending.client_id,
        pending.client_secret,
        settings.timeout_seconds,
        credentials_in_body=pending.provider in CREDENTIALS_IN_TOKEN_FORM,
    )


def tenant(
    http: requests.Session,
    settings: SyncSettings,
    pending: PendingConnect,
    tokens: Tokens,
    realm_id: str,
) -> str:
    """Which books the tokens reach: Xero's organisation, QuickBooks' realm (named in the
    callback), MYOB's company file (chosen before consent)."""
    if pending.provider == SyncProvider.XERO:
        return xero_tenant(http, settings, tokens.access_token)
    if pending.provider == SyncProvider.QUICKBOOKS:
        if not realm_id.strip():
            raise DomainError("QuickBooks did not say which company was connected: try again.")
        return realm_id.strip()
    return pending.tenant_id


def xero_tenant(http: requests.Session, settings: SyncSettings, access_token: str) -> str:
    """The Xero organisation the consent reached: the newest connection of type
    ORGANISATION (a person may have connected this app to others before)."""
    try:
        response = http.get(
            settings.xero_connections_url,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=(CONNECT_TIMEOUT_SECONDS, settings.timeout_seconds),
        )
    except requests.RequestException as exc:
        raise DomainError(f"Xero did not answer ({type(exc).__name__}): try again.") from None
    if not response.ok:
        raise DomainError(f"Xero answered HTTP {response.status_code} for its connections.")
    organisations = [c for c in response.json() if c.get("tenantType") == "ORGANISATION"]
    if not organisations:
        raise DomainError("The Xero consent reached no organisation: choose one and try again.")
    newest = max(organisations, key=lambda c: c.get("createdDateUtc") or "")
    return str(newest["tenantId"])

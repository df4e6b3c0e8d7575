"""The client of a connection's provider, with its URLs from the settings."""

from collections.abc import Callable

import requests

from models import SyncProvider

from .http import Rejected, TokenSource
from .myob import MyobClient
from .provider import Provider
from .quickbooks import QuickBooksClient
from .settings import SyncSettings
from .xero import XeroClient

# The providers' published limits per tenant (Xero), company (QuickBooks) or key (MYOB: 8 a
# second).
CALLS_PER_MINUTE = {SyncProvider.XERO: 60, SyncProvider.QUICKBOOKS: 500, SyncProvider.MYOB: 480}
CLIENTS = {
    SyncProvider.XERO: XeroClient,
    SyncProvider.QUICKBOOKS: QuickBooksClient,
    SyncProvider.MYOB: MyobClient,
}
# MYOB wants the client's id and secret in the token request's form, not as HTTP Basic.
CREDENTIALS_IN_TOKEN_FORM = frozenset({SyncProvider.MYOB})


def open_client(
    provider: str,
    http: requests.Session,
    settings: SyncSettings,
    tenant_id: str,
    tokens: TokenSource,
    before_call: Callable[[], None],
    client_id: str = "",
) -> Provider:
    """A client for one connection; providers not built yet are refused with a message.

    before_call runs before every request: it keeps the calls within CALLS_PER_MINUTE.
    """
    if provider not in CLIENTS:
        raise Rejected(f"Pushing to {provider} is not available yet.")
    endpoints = settings.endpoints[provider]
    options = {"api_key": client_id} if provider == SyncProvider.MYOB else {}
    return CLIENTS[SyncProvider(provider)](
        http, endpoints.api_url, tenant_id, tokens, settings.timeout_seconds, before_call, **options
    )

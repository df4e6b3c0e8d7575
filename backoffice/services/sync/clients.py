"""The client of a connection's provider, with its URLs from the settings."""

from collections.abc import Callable

import requests

from models import SyncProvider

from .http import Rejected, TokenSource
from .provider import Provider
from .quickbooks import QuickBooksClient
from .settings import SyncSettings
from .xero import XeroClient

# The providers' published limits per tenant (Xero) or company (QuickBooks).
CALLS_PER_MINUTE = {SyncProvider.XERO: 60, SyncProvider.QUICKBOOKS: 500}
CLIENTS = {SyncProvider.XERO: XeroClient, SyncProvider.QUICKBOOKS: QuickBooksClient}


def open_client(
    provider: str,
    http: requests.Session,
    settings: SyncSettings,
    tenant_id: str,
    tokens: TokenSource,
    before_call: Callable[[], None],
) -> Provider:
    """A client for one connection; providers not built yet are refused with a message.

    before_call runs before every request: it keeps the calls within CALLS_PER_MINUTE.
    """
    if provider not in CLIENTS:
        raise Rejected(f"Pushing to {provider} is not available yet.")
    endpoints = settings.endpoints[provider]
    return CLIENTS[SyncProvider(provider)](
        http, endpoints.api_url, tenant_id, tokens, settings.timeout_seconds, before_call
    )

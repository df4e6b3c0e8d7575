"""The client of a connection's provider, with its URLs from the settings."""

import requests

from models import SyncProvider

from .http import Rejected, TokenSource
from .provider import Provider
from .quickbooks import QuickBooksClient
from .settings import SyncSettings
from .xero import XeroClient


def open_client(
    provider: str,
    http: requests.Session,
    settings: SyncSettings,
    tenant_id: str,
    tokens: TokenSource,
) -> Provider:
    """A client for one connection; providers not built yet are refused with a message."""
    if provider == SyncProvider.XERO:
        endpoints = settings.endpoints[provider]
        return XeroClient(http, endpoints.api_url, tenant_id, tokens, settings.timeout_seconds)
    if provider == SyncProvider.QUICKBOOKS:
        endpoints = settings.endpoints[provider]
        return QuickBooksClient(
            http, endpoints.api_url, tenant_id, tokens, settings.timeout_seconds
        )
    raise Rejected(f"Pushing to {provider} is not available yet.")

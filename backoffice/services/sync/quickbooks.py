"""QuickBooks Online's Accounting API (v3) for one company (realm), on the shared HTTP layer.

Every write carries its idempotency key as the `requestid` query parameter: QuickBooks
answers a repeated requestid with what it did the first time. An update sends the SyncToken
last seen; a stale one is re-read once and the update tried again, then it is a conflict.
"""

from collections.abc import Callable
from typing import Any

import requests

from models import AccountingMapping

from . import quickbooks_payloads
from .http import ApiClient, Conflict, TokenSource
from .provider import Pushed, Remote

MINOR_VERSION = {"minorversion": "75"}
STALE_OBJECT = "5010"  # QuickBooks' error code for an update carrying an old SyncToken
# Per record type: the API's path and the entity its answers are wrapped in.
ENTITIES = {
    "customer": ("customer", "Customer"),
    "invoice": ("invoice", "Invoice"),
    "credit_note": ("creditmemo", "CreditMemo"),
    "payment": ("payment", "Payment"),
    "allocation": ("payment", "Payment"),
}


def _errors(response: requests.Response) -> list[dict[str, Any]]:
    try:
        return response.json().get("Fault", {}).get("Error", [])
    except (ValueError, AttributeError):
        return []


def describe_error(response: requests.Response) -> str:
    """QuickBooks' own words: each error's Message and Detail, else the body as sent."""
    messages = [
        ": ".join(part for part in (error.get("Message"), error.get("Detail")) if part)
        for error in _errors(response)
    ]
    if any(messages):
        return "; ".join(message for message in messages if message)
    return f"QuickBooks answered HTTP {response.status_code}: {response.text[:2000]}"


def is_stale(response: requests.Response) -> bool:
    return any(str(error.get("code")) == STALE_OBJECT for error in _errors(response))


class QuickBooksClient:
    """Pushes records to one QuickBooks Online company."""

    name = "qbo"  # short: requestid takes at most 50 characters
    # Payments that apply a credit memo are not edited; everything else is, by SyncToken.
    updatable = frozenset({"customer", "invoice", "credit_note", "payment"})

    def __init__(
        self,
        http: requests.Session,
        api_url: str,
        realm_id: str,
        tokens: TokenSource,
        timeout: float,
        before_call: Callable[[], None] = lambda: None,
    ) -> None:
        self._api = ApiClient(
            http,
            f"{api_url.rstrip('/')}/{realm_id}",
            tokens,
            provider="QuickBooks",
            headers={},
            describe_error=describe_error,
            timeout=timeout,
            before_call=before_call,
            is_conflict=is_stale,
        )

    def payload(
        self, record_type: str, local: Any, mapping: AccountingMapping, remote: Remote
    ) -> dict[str, Any]:
        """The JSON QuickBooks expects for a local record."""
        if record_type == "customer":
            return quickbooks_payloads.customer(local)
        if record_type == "allocation":
            return quickbooks_payloads.allocation(local, remote)
        build = getattr(quickbooks_payloads, record_type)  # invoice, credit_note, payment
        return build(local, mapping, remote)

    def push(
        self,
        record_type: str,
        payload: dict[str, Any],
        remote_id: str | None,
        key: str,
        parent_remote_id: str | None = None,
        remote_version: str | None = None,
    ) -> Pushed:
        """Create (remote_id None) or update by SyncToken, re-reading a stale one once."""
        path, entity = ENTITIES[record_type]
        if remote_id is None:
            return self._write(path, entity, payload, key)
        body = {**payload, "Id": remote_id, "SyncToken": remote_version or "0", "sparse": True}
        return self._fresh(path, entity, body, key)

    def withdraw(
        self, record_type: str, remote_id: str, key: str, remote_version: str | None = None
    ) -> Pushed:
        """Delete a payment (operation=delete): the invoice it paid is open again."""
        path, entity = ENTITIES[record_type]
        body = {"Id": remote_id, "SyncToken": remote_version or "0"}
        return self._fresh(path, entity, body, key, operation="delete")

    def _fresh(
        self, path: str, entity: str, body: dict[str, Any], key: str, operation: str = ""
    ) -> Pushed:
        """Write by SyncToken; a stale one is read again and the write tried once more."""
        try:
            return self._write(path, entity, body, key, operation)
        except Conflict:
            fresh = self._api.call("GET", f"/{path}/{body['Id']}", params=MINOR_VERSION)
            body["SyncToken"] = fresh[entity]["SyncToken"]
            try:
                # A new requestid: the first one is bound to the refused request.
                return self._write(path, entity, body, f"{key}-r", operation)
            except Conflict as again:
                raise Conflict(
                    f"Changed in QuickBooks while this was pushed, twice: {again.message}"
                ) from None

    def _write(
        self, path: str, entity: str, body: dict[str, Any], key: str, operation: str = ""
    ) -> Pushed:
        params = {"requestid": key, **MINOR_VERSION} | (
            {"operation": operation} if operation else {}
        )
        answer = self._api.call("POST", f"/{path}", body, key_header=None, params=params)
        # A deleted record is answered with its Id and status alone, no SyncToken.
        token = answer[entity].get("SyncToken")
        return Pushed(str(answer[entity]["Id"]), str(token) if token is not None else None)

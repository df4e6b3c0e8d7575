"""Xero's Accounting API (api.xro/2.0) for one tenant, on the shared HTTP layer.

PUT creates, POST to /<Collection>/<id> updates; every write carries an Idempotency-Key, so a
retry after a timeout returns what the first request did instead of creating twice.
"""

from collections.abc import Callable
from typing import Any

import requests

from models import AccountingMapping

from . import xero_payloads
from .http import ApiClient, TokenSource
from .provider import Pushed, Remote

# Per record type: the collection and the id field Xero answers with.
COLLECTIONS = {
    "customer": ("Contacts", "ContactID"),
    "invoice": ("Invoices", "InvoiceID"),
    "credit_note": ("CreditNotes", "CreditNoteID"),
    "payment": ("Payments", "PaymentID"),
}
# Xero keeps 4 decimals of a unit price only when asked to (the default rounds to 2).
UNIT_DECIMALS = {"unitdp": "4"}


def describe_error(response: requests.Response) -> str:
    """Xero's own words: each validation message, else its Message, else the body as sent."""
    try:
        answer = response.json()
    except ValueError:
        return f"Xero answered HTTP {response.status_code}: {response.text[:2000]}"
    messages = [
        error["Message"]
        for element in answer.get("Elements", [])
        for error in element.get("ValidationErrors", [])
        if error.get("Message")
    ]
    if messages:
        return "; ".join(dict.fromkeys(messages))
    return answer.get("Message") or answer.get("Detail") or response.text[:2000]


class XeroClient:
    """Pushes records to one Xero organisation (tenant)."""

    name = "xero"
    # Payments and allocations cannot be edited in Xero, only deleted and made again.
    updatable = frozenset({"customer", "invoice", "credit_note"})

    def __init__(
        self,
        http: requests.Session,
        api_url: str,
        tenant_id: str,
        tokens: TokenSource,
        timeout: float,
        before_call: Callable[[], None] = lambda: None,
    ) -> None:
        self._api = ApiClient(
            http,
            api_url,
            tokens,
            provider="Xero",
            headers={"xero-tenant-id": tenant_id},
            describe_error=describe_error,
            timeout=timeout,
            before_call=before_call,
        )

    def payload(
        self, record_type: str, local: Any, mapping: AccountingMapping, remote: Remote
    ) -> dict[str, Any]:
        """The JSON Xero expects for a local record (a customer, invoice, note or payment)."""
        if record_type == "customer":
            return xero_payloads.contact(local)
        if record_type == "allocation":
            return xero_payloads.allocation(local, remote)
        build = getattr(xero_payloads, record_type)  # invoice, credit_note, payment
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
        """Create or update one record; parent_remote_id is the credit note of an allocation."""
        if record_type == "allocation":
            path = f"/CreditNotes/{parent_remote_id}/Allocations"
            answer = self._api.call("PUT", path, {"Allocations": [payload]}, idempotency_key=key)
            allocated = answer.get("Allocations") or [{}]
            return Pushed(str(allocated[0].get("AllocationID") or parent_remote_id))
        collection, id_field = COLLECTIONS[record_type]
        params = UNIT_DECIMALS if record_type in ("invoice", "credit_note") else None
        method, path, body = "PUT", f"/{collection}", payload
        if remote_id is not None:
            method, path, body = "POST", f"{path}/{remote_id}", {id_field: remote_id, **payload}
        answer = self._api.call(
            method, path, {collection: [body]}, idempotency_key=key, params=params
        )
        return Pushed(str(answer[collection][0][id_field]))

    def withdraw(
        self, record_type: str, remote_id: str, key: str, remote_version: str | None = None
    ) -> Pushed:
        """Delete a payment: Xero takes no negative payment, and edits none."""
        collection, _ = COLLECTIONS[record_type]
        body = {collection: [{"Status": "DELETED"}]}
        self._api.call("POST", f"/{collection}/{remote_id}", body, idempotency_key=key)
        return Pushed(remote_id)

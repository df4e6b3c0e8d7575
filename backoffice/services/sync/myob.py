"""The MYOB Business API (AccountRight v2) for one company file, on the shared HTTP layer.

MYOB takes no idempotency key. Before creating, the client looks the record up by its
natural key (a customer's DisplayID, a sale's Number, a payment's Memo): a record that an
attempt in doubt (a timeout, a 5xx) did create is found and kept, never made twice. An
update carries the RowVersion last seen; a stale one is read again once, then a conflict.
"""

from collections.abc import Callable
from typing import Any

import requests

from models import AccountingMapping

from . import myob_payloads
from .http import ApiClient, Conflict, TokenSource
from .provider import Pushed, Remote

# Per record type: the collection, and the field that identifies a record of ours there.
COLLECTIONS = {
    "customer": ("/Contact/Customer", "DisplayID"),
    "invoice": ("/Sale/Invoice/Service", "Number"),
    "credit_note": ("/Sale/Invoice/Service", "Number"),
    "payment": ("/Sale/CustomerPayment", "Memo"),
    "allocation": ("/Sale/CreditSettlement", "Memo"),
}
RETURN_BODY = {"returnBody": "true"}


def describe_error(response: requests.Response) -> str:
    """MYOB's own words: each error's Message and AdditionalDetails, else the body as sent."""
    try:
        errors = response.json().get("Errors", [])
    except (ValueError, AttributeError):
        errors = []
    messages = [
        " ".join(part for part in (error.get("Message"), error.get("AdditionalDetails")) if part)
        for error in errors
    ]
    if any(messages):
        return "; ".join(message for message in messages if message)
    return f"MYOB answered HTTP {response.status_code}: {response.text[:2000]}"


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"  # an OData string literal


class MyobClient:
    """Pushes records to one MYOB company file."""

    name = "myob"
    # Payments and credit settlements are not edited in MYOB, only deleted.
    updatable = frozenset({"customer", "invoice", "credit_note"})

    def __init__(
        self,
        http: requests.Session,
        api_url: str,
        company_file_id: str,
        tokens: TokenSource,
        timeout: float,
        before_call: Callable[[], None] = lambda: None,
        api_key: str = "",
    ) -> None:
        self._api = ApiClient(
            http,
            f"{api_url.rstrip('/')}/{company_file_id}",
            tokens,
            provider="MYOB",
            headers={"x-myobapi-key": api_key, "x-myobapi-version": "v2"},
            describe_error=describe_error,
            timeout=timeout,
            is_conflict=lambda response: response.status_code == 409,
            before_call=before_call,
        )

    def payload(
        self, record_type: str, local: Any, mapping: AccountingMapping, remote: Remote
    ) -> dict[str, Any]:
        """The JSON MYOB expects for a local record."""
        if record_type == "customer":
            return myob_payloads.customer(local, mapping)
        if record_type == "allocation":
            return myob_payloads.allocation(local, remote)
        return getattr(myob_payloads, record_type)(local, mapping, remote)

    def push(
        self,
        record_type: str,
        payload: dict[str, Any],
        remote_id: str | None,
        key: str,
        parent_remote_id: str | None = None,
        remote_version: str | None = None,
    ) -> Pushed:
        """Find or create (remote_id None), or update by RowVersion, re-reading a stale one."""
        path, natural_key = COLLECTIONS[record_type]
        if remote_id is None:
            found = self._find(path, natural_key, payload[natural_key])
            if found is not None:
                return found
            return self._pushed(
                self._api.call("POST", path, payload, key_header=None, params=RETURN_BODY)
            )
        body = {**payload, "UID": remote_id, "RowVersion": remote_version or ""}
        try:
            return self._put(path, remote_id, body)
        except Conflict:
            fresh = self._api.call("GET", f"{path}/{remote_id}")
            try:
                return self._put(path, remote_id, {**body, "RowVersion": fresh["RowVersion"]})
            except Conflict as again:
                raise Conflict(
                    f"Changed in MYOB while this was pushed, twice: {again.message}"
                ) from None

    def withdraw(
        self, record_type: str, remote_id: str, key: str, remote_version: str | None = None
    ) -> Pushed:
        """Delete a customer payment; one already gone (an attempt in doubt did it) is done."""
        path, _ = COLLECTIONS[record_type]
        self._api.call("DELETE", f"{path}/{remote_id}", key_header=None, gone_ok=True)
        return Pushed(remote_id)

    def _put(self, path: str, remote_id: str, body: dict[str, Any]) -> Pushed:
        answer = self._api.call(
            "PUT", f"{path}/{remote_id}", body, key_header=None, params=RETURN_BODY
        )
        return self._pushed(answer) if answer.get("UID") else Pushed(remote_id)

    def _find(self, path: str, field: str, value: str) -> Pushed | None:
        answer = self._api.call("GET", path, params={"$filter": f"{field} eq {_quoted(value)}"})
        items = answer.get("Items") or []
        return self._pushed(items[0]) if items else None

    @staticmethod
    def _pushed(answer: dict[str, Any]) -> Pushed:
        uid = answer.get("UID") or answer.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
        return Pushed(str(uid), str(answer["RowVersion"]) if answer.get("RowVersion") else None)

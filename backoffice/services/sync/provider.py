"""What the push needs from each provider's client (xero.py, quickbooks.py, myob.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from models import AccountingMapping

# (record type, local id) -> the provider's id of that record, already pushed.
Remote = Callable[[str, int], str]


@dataclass(frozen=True)
class Pushed:
    remote_id: str
    remote_version: str | None = None  # QuickBooks' SyncToken; Xero has none


class Provider(Protocol):
    name: str
    updatable: frozenset[str]  # record types the provider edits in place

    def payload(
        self, record_type: str, local: Any, mapping: AccountingMapping, remote: Remote
    ) -> dict[str, Any]:
        """The JSON the provider expects for a local record."""
        ...

    def push(
        self,
        record_type: str,
        payload: dict[str, Any],
        remote_id: str | None,
        key: str,
        parent_remote_id: str | None = None,
        remote_version: str | None = None,
    ) -> Pushed:
        """Create (remote_id None) or update one record under an idempotency key;
        parent_remote_id: an allocation's credit note; remote_version: the provider's version
        of the record last seen (QuickBooks' SyncToken)."""
        ...

    def withdraw(
        self, record_type: str, remote_id: str, key: str, remote_version: str | None = None
    ) -> Pushed:
        """Take a record out of the books (a reversed payment is deleted there)."""
        ...

"""A local Xero: pytest-httpserver answering the Accounting API and the token endpoint as Xero
does, checking what a real one would refuse (bearer token, tenant header, idempotency key).

Faults are scripted per method and path: the next matching request gets them. A fault with
act_first does the work, then answers the fault (a 504 after the invoice was created).
"""

import base64
import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

API = "/api.xro/2.0"
TOKEN_PATH = "/connect/token"
CLIENT_ID = "local-client-id"
CLIENT_SECRET = "local-client-secret-Q7xv"
TENANT_ID = "5d1e9c1a-tenant-0000-0000-000000000001"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COLLECTIONS = {
    "Contacts": "ContactID",
    "Invoices": "InvoiceID",
    "CreditNotes": "CreditNoteID",
    "Payments": "PaymentID",
}


@dataclass
class Fault:
    method: str
    path: str  # below /api.xro/2.0, e.g. /Invoices
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    act_first: bool = False


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    text: str


class FakeXero:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.counter = itertools.count(1)
        self.access_token = "xero-access-0-initial"
        self.refresh_token = "xero-refresh-0-initial"
        self.issued_tokens = [self.access_token, self.refresh_token]
        self.records: dict[str, dict[str, dict]] = {name: {} for name in COLLECTIONS}
        self.allocations: list[dict] = []
        self.answered: dict[str, tuple[int, str]] = {}  # idempotency key -> first answer
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def api_url(self) -> str:
        return self.server.url_for(API)

    @property
    def token_url(self) -> str:
        return self.server.url_for(TOKEN_PATH)

    def writes(self, path_prefix: str) -> list[Seen]:
        return [
            s for s in self.seen if s.method in ("PUT", "POST") and s.path.startswith(path_prefix)
        ]

    # -- the server ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        text = request.get_data(as_text=True)
        body = json.loads(text, parse_float=Decimal) if request.is_json and text else None
        path = request.path
        self.seen.append(Seen(request.method, path, dict(request.headers), body, text))
        if path == TOKEN_PATH:
            return self._token(request, text)
        if not path.startswith(API):
            return self._json(404, {"Message": "Not found"})
        path = path[len(API) :]
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._json(
                401, {"Title": "Unauthorized", "Status": 401, "Detail": "TokenExpired"}
            )
        if request.headers.get("xero-tenant-id") != TENANT_ID:
            return self._json(403, {"Title": "Forbidden", "Detail": "AuthenticationUnsuccessful"})
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return self._json(400, {"Message": "this fake expects an Idempotency-Key on writes"})
        if key in self.answered:  # Xero answers a repeated key with the first answer
            status, answer = self.answered[key]
            return Response(answer, status, content_type="application/json")
        fault = self._fault(request.method, path)
        if fault is not None and not fault.act_first:
            return self._json(fault.status, fault.body, fault.headers)
        status, answer = self._write(request.method, path, body)
        if status < 500:
            self.answered[key] = (status, json.dumps(answer, default=str))
        if fault is not None:
            return self._json(fault.status, fault.body, fault.headers)
        return self._json(status, answer)

    def _fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and fault.path == path:
                self.faults.remove(fault)
                return fault
        return None

    def _token(self, request: Request, text: str) -> Response:
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = {name: values[0] for name, values in parse_qs(text).items()}
        if request.headers.get("Authorization") != f"Basic {basic}":
            return self._json(401, {"error": "invalid_client"})
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
        ):
            return self._json(400, {"error": "invalid_grant"})
        n = next(self.counter)
        self.access_token = f"xero-access-{n}-{uuid.uuid4().hex}"
        self.refresh_token = f"xero-refresh-{n}-{uuid.uuid4().hex}"
        self.issued_tokens += [self.access_token, self.refresh_token]
        return self._json(
            200,
            {
                "access_token": self.access_token,
                "expires_in": 1800,
                "token_type": "Bearer",
                "refresh_token": self.refresh_token,
                "scope": "accounting.transactions accounting.contacts offline_access",
            },
        )

    def _write(self, method: str, path: str, body: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        collection = parts[0]
        if collection == "CreditNotes" and parts[-1] == "Allocations" and method == "PUT":
            allocation = {**body["Allocations"][0], "AllocationID": str(uuid.uuid4())}
            self.allocations.append({**allocation, "CreditNoteID": parts[1]})
            return 200, {"Status": "OK", "Allocations": [allocation]}
        id_field = COLLECTIONS[collection]
        item = body[collection][0]
        if problems := self._validate(collection, item):
            return 400, self._validation_error(item, problems)
        store = self.records[collection]
        if method == "PUT" and len(parts) == 1:
            item = {**item, id_field: str(uuid.uuid4())}
        elif method == "POST" and len(parts) == 2 and parts[1] in store:
            item = {**store[parts[1]], **item}
        else:
            return 404, {"Message": f"No {collection} at {path}"}
        store[item[id_field]] = item
        return 200, {"Id": str(uuid.uuid4()), "Status": "OK", collection: [item]}

    def _validate(self, collection: str, item: dict) -> list[str]:
        problems = []
        if (
            collection == "Contacts"
            and item.get("EmailAddress")
            and not EMAIL.match(item["EmailAddress"])
        ):
            problems.append("Email address must be valid.")
        if collection == "Invoices" and item.get("Type") != "ACCREC" and "Type" in item:
            problems.append("Invoice Type must be ACCREC or ACCPAY.")
        contact = item.get("Contact", {}).get("ContactID")
        if contact is not None and contact not in self.records["Contacts"]:
            problems.append("The contact could not be found.")
        return problems

    @staticmethod
    def _validation_error(item: dict, problems: list[str]) -> dict:
        return {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{**item, "ValidationErrors": [{"Message": p} for p in problems]}],
        }

    @staticmethod
    def _json(status: int, body: dict, headers: dict | None = None) -> Response:
        return Response(
            json.dumps(body, default=str), status, headers=headers, content_type="application/json"
        )

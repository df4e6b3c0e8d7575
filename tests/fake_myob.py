"""A local MYOB Business API: pytest-httpserver answering contacts, sales, payments and credit
settlements as MYOB does (201 with returnBody, RowVersion on updates, OData $filter), and
its token endpoint, which takes the client's credentials in the form.

A fault with act_first creates the record, then answers the fault (a 504 after the sale was
made): MYOB has no idempotency key, so the client must find it before creating again.
"""

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

FILE_ID = "2f0c8a3e-5b1d-4c1e-9a7f-cf0000000001"
API = "/accountright"
TOKEN_PATH = "/oauth2/v1/authorize"
CLIENT_ID = "myob-api-key"
CLIENT_SECRET = "myob-client-secret-W8q"
FILTER = re.compile(r"^(\w+) eq '((?:[^']|'')*)'$")
COLLECTIONS = (
    "Contact/Customer",
    "Sale/Invoice/Service",
    "Sale/CustomerPayment",
    "Sale/CreditSettlement",
)


@dataclass
class Fault:
    method: str
    collection: str
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    act_first: bool = False


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


def errors(name: str, message: str, details: str = "") -> dict:
    return {
        "Errors": [
            {
                "Name": name,
                "Message": message,
                "AdditionalDetails": details,
                "ErrorCode": 4001,
                "Severity": "Error",
                "LearnMore": None,
            }
        ],
        "Information": "Warning, error messages have not been finalised in this release",
    }


class FakeMyob:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.versions = itertools.count(1000)
        self.access_token = "myob-access-0-initial"
        self.refresh_token = "myob-refresh-0-initial"
        self.records: dict[str, dict[str, dict]] = {name: {} for name in COLLECTIONS}
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def api_url(self) -> str:
        return self.server.url_for(API)

    @property
    def token_url(self) -> str:
        return self.server.url_for(TOKEN_PATH)

    def calls(self, method: str, collection: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and collection in s.path]

    def handle(self, request: Request) -> Response:
        text = request.get_data(as_text=True)
        body = json.loads(text, parse_float=Decimal) if request.is_json and text else None
        self.seen.append(
            Seen(request.method, request.path, dict(request.args), dict(request.headers), body)
        )
        if request.path == TOKEN_PATH:
            return self._token(text)
        prefix = f"{API}/{FILE_ID}/"
        if not request.path.startswith(prefix):
            return self._json(404, errors("NotFound", "No such company file"))
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._json(
                401, errors("OAuthTokenIsInvalid", "The supplied OAuth token (Bearer) is not valid")
            )
        if (
            request.headers.get("x-myobapi-key") != CLIENT_ID
            or request.headers.get("x-myobapi-version") != "v2"
        ):
            return self._json(403, errors("ApiKeyIsInvalid", "The API key is not valid"))
        rest = request.path[len(prefix) :]
        collection = next(c for c in COLLECTIONS if rest.startswith(c))
        uid = rest[len(collection) :].strip("/") or None
        store = self.records[collection]
        if request.method == "GET":
            if uid:
                return self._json(200, store[uid])
            match = FILTER.match(request.args.get("$filter", ""))
            items = [
                r
                for r in store.values()
                if match and r.get(match[1]) == match[2].replace("''", "'")
            ]
            return self._json(200, {"Items": items, "NextPageLink": None, "Count": len(items)})
        fault = next(
            (f for f in self.faults if f.method == request.method and f.collection == collection),
            None,
        )
        if fault is not None:
            self.faults.remove(fault)
            if not fault.act_first:
                return self._json(fault.status, fault.body)
        if request.method == "DELETE":
            if store.pop(uid, None) is None:
                return self._json(404, errors("NotFound", "The record was not found."))
            return Response(status=200)
        if request.method == "POST":
            if collection == "Contact/Customer" and "@" not in body["Addresses"][0]["Email"]:
                return self._json(
                    400, errors("ValidationError", "Email address is invalid.", "Addresses.Email")
                )
            record = {**body, "UID": str(uuid.uuid4()), "RowVersion": str(next(self.versions))}
            store[record["UID"]] = record
            status = 201
        else:  # PUT
            current = store[uid]
            if body.get("RowVersion") != current["RowVersion"]:
                return self._json(
                    409,
                    errors(
                        "ConcurrencyViolation",
                        "The record has been changed by another user.",
                        "RowVersion",
                    ),
                )
            record = {**current, **body, "RowVersion": str(next(self.versions))}
            store[uid] = record
            status = 200
        if fault is not None:
            return self._json(fault.status, fault.body)
        response = self._json(status, record)
        response.headers["Location"] = self.server.url_for(f"{prefix}{collection}/{record['UID']}")
        return response

    def _token(self, text: str) -> Response:
        form = {name: values[0] for name, values in parse_qs(text).items()}
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return self._json(400, {"error": "invalid_client"})
        if form.get("refresh_token") != self.refresh_token:
            return self._json(400, {"error": "invalid_grant"})
        self.access_token = f"myob-access-{uuid.uuid4().hex}"
        self.refresh_token = f"myob-refresh-{uuid.uuid4().hex}"
        return self._json(
            200,
            {
                "access_token": self.access_token,
                "token_type": "bearer",
                "expires_in": "1200",
                "refresh_token": self.refresh_token,
            },
        )

    @staticmethod
    def _json(status: int, body: dict) -> Response:
        return Response(json.dumps(body, default=str), status, content_type="application/json")

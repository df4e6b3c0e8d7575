"""A local QuickBooks Online: pytest-httpserver answering the v3 Accounting API and the token
endpoint as Intuit does: requestid answered once, SyncToken checked on every update.

edited_elsewhere() bumps a record's SyncToken as a QuickBooks user's edit would;
always_stale makes every read of a record find it edited again (a lasting conflict).
"""

import base64
import itertools
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

REALM_ID = "9130350000000001"
API = "/v3/company"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
CLIENT_ID = "qbo-client-id"
CLIENT_SECRET = "qbo-client-secret-Zp4"
ENTITIES = {
    "customer": "Customer",
    "invoice": "Invoice",
    "creditmemo": "CreditMemo",
    "payment": "Payment",
}


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


def fault(code: str, message: str, detail: str) -> dict:
    return {
        "Fault": {
            "Error": [{"Message": message, "Detail": detail, "code": code, "element": ""}],
            "type": "ValidationFault",
        },
        "time": "2026-12-02T08:00:00.000-08:00",
    }


class FakeQuickBooks:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.ids = itertools.count(101)
        self.access_token = "qbo-access-0-initial"
        self.refresh_token = "qbo-refresh-0-initial"
        self.records: dict[str, dict[str, dict]] = {name: {} for name in ENTITIES.values()}
        self.answered: dict[str, tuple[int, str]] = {}
        self.always_stale: set[str] = set()
        self.seen: list[Seen] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def api_url(self) -> str:
        return self.server.url_for(API)

    @property
    def token_url(self) -> str:
        return self.server.url_for(TOKEN_PATH)

    def writes(self, entity_path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST" and s.path.endswith(f"/{entity_path}")]

    def edited_elsewhere(self, entity: str, record_id: str) -> None:
        record = self.records[entity][record_id]
        record["SyncToken"] = str(int(record["SyncToken"]) + 1)

    def handle(self, request: Request) -> Response:
        text = request.get_data(as_text=True)
        body = json.loads(text, parse_float=Decimal) if request.is_json and text else None
        query = {name: value for name, value in request.args.items()}
        self.seen.append(Seen(request.method, request.path, query, dict(request.headers), body))
        if request.path == TOKEN_PATH:
            return self._token(request, text)
        prefix = f"{API}/{REALM_ID}/"
        if not request.path.startswith(prefix):
            return self._json(404, fault("610", "Object Not Found", "No such company"))
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._json(401, fault("3200", "AuthenticationFailed", "Token expired"))
        parts = request.path[len(prefix) :].split("/")
        entity = ENTITIES[parts[0]]
        if request.method == "GET":
            record = dict(self.records[entity][parts[1]])  # as read, before any later edit
            if parts[1] in self.always_stale:
                self.edited_elsewhere(entity, parts[1])
            return self._json(200, {entity: record, "time": "2026-12-02"})
        key = query.get("requestid")
        if not key:
            return self._json(400, fault("0", "requestid missing", "this fake expects one"))
        if key in self.answered:
            status, answer = self.answered[key]
            return Response(answer, status, content_type="application/json")
        if query.get("operation") == "delete":
            status, answer = self._delete(entity, body)
        else:
            status, answer = self._write(entity, body)
        self.answered[key] = (status, json.dumps(answer, default=str))
        return self._json(status, answer)

    def _write(self, entity: str, body: dict) -> tuple[int, dict]:
        store = self.records[entity]
        if "Id" not in body:
            if entity == "Customer" and any(
                c["DisplayName"] == body["DisplayName"] for c in store.values()
            ):
                return 400, fault(
                    "6240",
                    "Duplicate Name Exists Error",
                    f"The name supplied already exists. : Another customer is already using "
                    f"this name: {body['DisplayName']}",
                )
            record = {**body, "Id": str(next(self.ids)), "SyncToken": "0"}
        else:
            current = store[body["Id"]]
            if body.get("SyncToken") != current["SyncToken"]:
                return 400, fault(
                    "5010",
                    "Stale Object Error",
                    "Stale Object Error : You and someone else were working on this at the "
                    "same time. They finished before you did, so your work was not saved.",
                )
            record = {**current, **body, "SyncToken": str(int(current["SyncToken"]) + 1)}
            record.pop("sparse", None)
        store[record["Id"]] = record
        return 200, {entity: record, "time": "2026-12-02T08:00:00.000-08:00"}

    def _delete(self, entity: str, body: dict) -> tuple[int, dict]:
        current = self.records[entity].get(body["Id"])
        if current is None or current.get("status") == "Deleted":
            return 400, fault("610", "Object Not Found", "Another user has deleted this object.")
        if body.get("SyncToken") != current["SyncToken"]:
            return 400, fault(
                "5010", "Stale Object Error", "Stale Object Error : Deleted elsewhere"
            )
        current["status"] = "Deleted"
        return 200, {entity: {"Id": body["Id"], "status": "Deleted", "domain": "QBO"}}

    def _token(self, request: Request, text: str) -> Response:
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = {name: values[0] for name, values in parse_qs(text).items()}
        if request.headers.get("Authorization") != f"Basic {basic}":
            return self._json(401, {"error": "invalid_client"})
        if form.get("refresh_token") != self.refresh_token:
            return self._json(400, {"error": "invalid_grant"})
        self.access_token = f"qbo-access-{uuid.uuid4().hex}"
        self.refresh_token = f"qbo-refresh-{uuid.uuid4().hex}"
        return self._json(
            200,
            {
                "token_type": "bearer",
                "access_token": self.access_token,
                "expires_in": 3600,
                "refresh_token": self.refresh_token,
                "x_refresh_token_expires_in": 8726400,
            },
        )

    @staticmethod
    def _json(status: int, body: dict) -> Response:
        return Response(json.dumps(body, default=str), status, content_type="application/json")

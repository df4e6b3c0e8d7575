"""Connecting through the provider's consent screen (OAuth 2.0 authorization code), against a
local token endpoint and Xero connections list (pytest-httpserver)."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from werkzeug import Request, Response

from backoffice.services.sync.sealing import keyring, unseal
from models import AccountingConnection

from .conftest import csrf_token, messages, snapshot

KEY = Fernet.generate_key().decode()
PAGE = "/admin/accounting/"
CALLBACK = "http://localhost/admin/accounting/callback"
SECRET = "oauth-client-secret-never-shown"


@pytest.fixture
def provider(app, httpserver, monkeypatch):
    """The app pointed at a local consent page, token endpoint and Xero connections list."""
    for name, path in (
        ("XERO_AUTH_URL", "/xero/authorize"),
        ("XERO_TOKEN_URL", "/xero/token"),
        ("XERO_CONNECTIONS_URL", "/xero/connections"),
        ("QBO_AUTH_URL", "/qbo/authorize"),
        ("QBO_TOKEN_URL", "/qbo/token"),
    ):
        monkeypatch.setitem(app.config, name, httpserver.url_for(path))
    monkeypatch.setitem(app.config, "SYNC_ENCRYPTION_KEY", KEY)
    return httpserver


def token_endpoint(client_id: str, code: str, answer: dict):
    basic = "Basic " + base64.b64encode(f"{client_id}:{SECRET}".encode()).decode()

    def handle(request: Request) -> Response:
        form = {
            name: values[0] for name, values in parse_qs(request.get_data(as_text=True)).items()
        }
        expected = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
        if request.headers.get("Authorization") != basic or form != expected:
            return Response('{"error": "invalid_grant"}', 400, content_type="application/json")
        return Response(json.dumps(answer), 200, content_type="application/json")

    return handle


def start(client, company, provider_name: str) -> dict[str, str]:
    response = client.post(
        PAGE + "authorize",
        data={
            "csrf_token": csrf_token(client, PAGE),
            "company_id": company.id,
            "provider": provider_name,
            "client_id": f"{provider_name}-client",
            "client_secret": SECRET,
        },
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    return {name: values[0] for name, values in parse_qs(location.query).items()} | {
        "path": location.path
    }


def test_admin_connects_xero_through_its_consent_screen(provider, client_as, db_session, company):
    client = client_as("admin")
    asked = start(client, company, "xero")
    assert asked["path"] == "/xero/authorize"
    assert asked["response_type"] == "code" and asked["client_id"] == "xero-client"
    assert asked["redirect_uri"] == CALLBACK and "offline_access" in asked["scope"]
    cookie = client.get_cookie("session").value
    assert SECRET not in cookie  # sealed, not merely signed

    provider.expect_request("/xero/token", method="POST").respond_with_handler(
        token_endpoint(
            "xero-client",
            "code-123",
            {"access_token": "acc-1", "refresh_token": "ref-1", "expires_in": 1800},
        )
    )
    provider.expect_request(
        "/xero/connections", headers={"Authorization": "Bearer acc-1"}
    ).respond_with_json(
        [
            {"tenantId": "old-org", "tenantType": "ORGANISATION", "createdDateUtc": "2025-01-01"},
            {"tenantId": "practice", "tenantType": "PRACTICE", "createdDateUtc": "2026-12-03"},
            {"tenantId": "new-org", "tenantType": "ORGANISATION", "createdDateUtc": "2026-12-02"},
        ]
    )
    back = client.get(PAGE + "callback", query_string={"code": "code-123", "state": asked["state"]})
    assert back.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "Connected to Xero." in messages(page) and SECRET not in page

    connection = db_session.scalars(select(AccountingConnection)).one()
    ring = keyring(KEY)
    assert (connection.status, connection.tenant_id) == ("connected", "new-org")
    assert unseal(ring, connection.refresh_token_sealed) == "ref-1"
    assert unseal(ring, connection.client_secret_sealed) == SECRET

    # The same answer again (a reload, or someone replaying it) connects nothing twice.
    before = snapshot(db_session)
    client.get(PAGE + "callback", query_string={"code": "code-123", "state": asked["state"]})
    assert "No connection was being made" in messages(client.get(PAGE).get_data(as_text=True))
    assert snapshot(db_session) == before


def test_quickbooks_realm_comes_from_the_callback_and_a_wrong_state_is_refused(
    provider, client_as, db_session, company
):
    client = client_as("admin")
    asked = start(client, company, "quickbooks")
    assert asked["path"] == "/qbo/authorize"
    wrong = client.get(PAGE + "callback", query_string={"code": "c", "state": "forged"})
    assert wrong.status_code == 302
    assert "does not belong" in messages(client.get(PAGE).get_data(as_text=True))
    assert db_session.scalars(select(AccountingConnection)).all() == []

    asked = start(client, company, "quickbooks")
    provider.expect_request("/qbo/token", method="POST").respond_with_handler(
        token_endpoint(
            "quickbooks-client",
            "qbo-code",
            {"access_token": "qa", "refresh_token": "qr", "expires_in": 3600},
        )
    )
    client.get(
        PAGE + "callback",
        query_string={"code": "qbo-code", "state": asked["state"], "realmId": "9130350000000001"},
    )
    connection = db_session.scalars(select(AccountingConnection)).one()
    assert (connection.provider, connection.tenant_id) == ("quickbooks", "9130350000000001")


def test_a_refused_consent_or_code_changes_nothing_and_finance_cannot_start(
    provider, client_as, db_session, company
):
    client = client_as("admin")
    asked = start(client, company, "xero")
    client.get(PAGE + "callback", query_string={"error": "access_denied", "state": asked["state"]})
    assert "Xero did not connect: access_denied." in messages(client.get(PAGE).get_data(True))

    asked = start(client, company, "xero")
    provider.expect_request("/xero/token", method="POST").respond_with_json(
        {"error": "invalid_grant"}, status=400
    )
    client.get(PAGE + "callback", query_string={"code": "stale", "state": asked["state"]})
    text = messages(client.get(PAGE).get_data(True))
    assert "refused the authorization (invalid_grant)" in text
    assert db_session.scalars(select(AccountingConnection)).all() == []

    finance = client_as("finance")
    refused = finance.post(
        PAGE + "authorize",
        data={
            "csrf_token": csrf_token(finance, PAGE),
            "company_id": company.id,
            "provider": "xero",
        },
    )
    assert refused.status_code == 403

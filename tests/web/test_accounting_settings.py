"""Settings > Accounting: admins connect, map and disconnect; finance reads; secrets stay sealed."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from models import AccountingConnection, AccountingMapping

from .conftest import csrf_token, snapshot

KEY = Fernet.generate_key().decode()
SECRET = "client-secret-that-must-not-show"
PAGE = "/admin/accounting/"


@pytest.fixture
def keyed(app, monkeypatch):
    monkeypatch.setitem(app.config, "SYNC_ENCRYPTION_KEY", KEY)
    return app


def connect_form(client, company, **overrides):
    return {
        "csrf_token": csrf_token(client, PAGE),
        "company_id": company.id,
        "provider": "xero",
        "client_id": "client-1",
        "client_secret": SECRET,
        "refresh_token": "refresh-token-that-must-not-show",
        "tenant_id": "tenant-1",
    } | overrides


def test_admin_connects_maps_and_disconnects(keyed, client_as, db_session, company, vat19):
    vat19.country = company.country
    db_session.commit()
    client = client_as("admin")
    assert "not connected" in client.get(PAGE).get_data(as_text=True)

    client.post(PAGE + "connect", data=connect_form(client, company))
    page = client.get(PAGE).get_data(as_text=True)
    assert "Connected. New invoices and payments are pushed from now on." in page
    assert SECRET not in page and "refresh-token-that-must-not-show" not in page
    assert "Set the sales account code that invoices post to in Xero." in page
    connection = db_session.scalars(select(AccountingConnection)).one()
    assert connection.status == "connected" and SECRET not in connection.client_secret_sealed

    client.post(
        PAGE + "mapping",
        data={
            "csrf_token": csrf_token(client, PAGE),
            "company_id": company.id,
            "provider": "xero",
            "sales_account_code": "200",
            f"tax_type_{vat19.id}": "OUTPUT2",
            "account_bank_transfer": "090",
        },
    )
    page = client.get(PAGE).get_data(as_text=True)
    assert "Mapping saved." in page
    assert '<span class="text-success">complete</span>' in page

    client.post(
        PAGE + "disconnect",
        data={"csrf_token": csrf_token(client, PAGE), "connection_id": connection.id},
    )
    db_session.refresh(connection)
    assert connection.status == "disconnected" and connection.refresh_token_sealed is None


def test_missing_fields_and_a_missing_key_are_told_and_change_nothing(
    app, client_as, db_session, company, monkeypatch
):
    client = client_as("admin")
    before = snapshot(db_session)
    client.post(PAGE + "connect", data=connect_form(client, company))
    assert "SYNC_ENCRYPTION_KEY is not set" in client.get(PAGE).get_data(as_text=True)
    monkeypatch.setitem(app.config, "SYNC_ENCRYPTION_KEY", KEY)
    client.post(PAGE + "connect", data=connect_form(client, company, refresh_token=" "))
    assert "To connect, fill in: refresh token." in client.get(PAGE).get_data(as_text=True)
    client.post(PAGE + "mapping", data=connect_form(client, company, provider="sage"))
    assert "Unknown accounting system &#39;sage&#39;." in client.get(PAGE).get_data(as_text=True)
    assert snapshot(db_session) == before


def test_finance_reads_the_status_but_cannot_connect(keyed, client_as, db_session, company):
    client = client_as("finance")
    page = client.get(PAGE).get_data(as_text=True)
    assert company.name in page and "Save mapping" not in page
    before = snapshot(db_session)
    assert client.post(PAGE + "connect", data=connect_form(client, company)).status_code == 403
    refused = client.post(
        PAGE + "mapping",
        data={
            "csrf_token": csrf_token(client, PAGE),
            "company_id": company.id,
            "provider": "xero",
            "sales_account_code": "200",
        },
    )
    assert refused.status_code == 403
    assert snapshot(db_session) == before
    assert db_session.scalars(select(AccountingMapping)).all() == []


@pytest.mark.parametrize("role", ["support", "manager"])
def test_support_and_managers_have_no_accounting_screen(client_as, role):
    assert client_as(role).get(PAGE).status_code == 403


def test_a_company_not_granted_is_neither_shown_nor_changed(
    keyed, client_as, db_session, other_company
):
    client = client_as("finance")  # granted `company` only
    before = snapshot(db_session)
    client.post(PAGE + "connect", data=connect_form(client, other_company))
    assert other_company.name not in client.get(PAGE).get_data(as_text=True)
    assert snapshot(db_session) == before


def test_sync_now_asks_for_what_is_pending_and_failed_once_and_only_in_ones_companies(
    client_as, db_session, company, other_company, customer, vat19
):
    from models import Role, SyncRecord
    from tests import factories

    finance = factories.make_user(db_session, Role.FINANCE, companies=[company])
    # Issued before the company connected: it has no sync record yet.
    invoice = factories.make_issued_invoice(db_session, finance, customer, [factories.line(vat19)])
    ours, theirs = (
        AccountingConnection(
            company_id=owner.id, provider="xero", client_id="c", client_secret_sealed="x"
        )
        for owner in (company, other_company)
    )
    db_session.add_all([ours, theirs])
    failed = SyncRecord(
        company_id=company.id,
        provider="xero",
        record_type="customer",
        record_id=customer.id,
        status="failed",
        attempts=3,
        last_error="Contact name is missing.",
    )
    db_session.add(failed)
    db_session.commit()

    client = client_as("finance")
    assert "Sync now" in client.get(PAGE).get_data(as_text=True)
    page = client.post(
        PAGE + "sync-now",
        data={"csrf_token": csrf_token(client, PAGE), "connection_id": ours.id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Asked Xero for 2 record(s)" in page
    made = db_session.scalars(select(SyncRecord).where(SyncRecord.record_type == "invoice")).one()
    assert (made.record_id, made.status) == (invoice.id, "pending")
    db_session.refresh(failed)
    assert (failed.status, failed.request_count) == ("pending", 2)

    # Another company's connection: refused, nothing asked for.
    before = snapshot(db_session)
    page = client.post(
        PAGE + "sync-now",
        data={"csrf_token": csrf_token(client, PAGE), "connection_id": theirs.id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "That connection does not exist or is not yours to see." in page
    assert snapshot(db_session) == before

    # Support may read the screen's failures elsewhere but not push.
    support = client_as("support")
    response = support.post(
        PAGE + "sync-now",
        data={"csrf_token": csrf_token(support, "/admin/account/"), "connection_id": ours.id},
    )
    assert response.status_code == 403

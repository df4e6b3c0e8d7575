"""A company connected to the local Xero or QuickBooks (tests/fake_*.py), its mapping filled in."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from backoffice.services.sync import connections, mapping
from backoffice.services.sync.sealing import keyring
from models import AccountingConnection, Role, utcnow
from tests import factories
from tests.fake_myob import CLIENT_ID as MYOB_CLIENT_ID
from tests.fake_myob import CLIENT_SECRET as MYOB_CLIENT_SECRET
from tests.fake_myob import FILE_ID, FakeMyob
from tests.fake_quickbooks import CLIENT_ID as QBO_CLIENT_ID
from tests.fake_quickbooks import CLIENT_SECRET as QBO_CLIENT_SECRET
from tests.fake_quickbooks import REALM_ID, FakeQuickBooks
from tests.fake_xero import CLIENT_ID, CLIENT_SECRET, TENANT_ID, FakeXero

KEY = Fernet.generate_key().decode()


@pytest.fixture
def xero(httpserver) -> FakeXero:
    return FakeXero(httpserver)


@pytest.fixture
def xero_app(live_app, xero) -> Iterator[Flask]:
    """The live app with a sync key, pushing to the local Xero."""
    overrides = {
        "SYNC_ENCRYPTION_KEY": KEY,
        "XERO_API_URL": xero.api_url,
        "XERO_TOKEN_URL": xero.token_url,
    }
    saved = {name: live_app.config[name] for name in overrides}
    live_app.config.update(overrides)
    yield live_app
    live_app.config.update(saved)


def connect_xero(world, xero: FakeXero, expires_in: timedelta) -> AccountingConnection:
    """Connect the world's company to the local Xero and map its accounts, committed."""
    session = world.session
    admin = factories.make_user(session, Role.ADMIN)
    connection = connections.connect(
        session,
        admin,
        keyring(KEY),
        world.company.id,
        "xero",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        refresh_token=xero.refresh_token,
        tenant_id=TENANT_ID,
        access_token=xero.access_token,
        expires_at=utcnow() + expires_in,
    )
    mapping.save_mapping(
        session,
        admin,
        world.company.id,
        "xero",
        sales_account_code="200",
        tax_types={world.vat19.id: "OUTPUT2"},
        payment_accounts={"bank_transfer": "090"},
    )
    session.commit()
    return connection


@pytest.fixture
def connected(world, xero_app, xero) -> AccountingConnection:
    """Connected with an access token still valid for 30 minutes."""
    return connect_xero(world, xero, timedelta(minutes=30))


@pytest.fixture
def quickbooks(httpserver) -> FakeQuickBooks:
    return FakeQuickBooks(httpserver)


@pytest.fixture
def quickbooks_app(live_app, quickbooks) -> Iterator[Flask]:
    """The live app with a sync key, pushing to the local QuickBooks."""
    overrides = {
        "SYNC_ENCRYPTION_KEY": KEY,
        "QBO_API_URL": quickbooks.api_url,
        "QBO_TOKEN_URL": quickbooks.token_url,
    }
    saved = {name: live_app.config[name] for name in overrides}
    live_app.config.update(overrides)
    yield live_app
    live_app.config.update(saved)


@pytest.fixture
def quickbooks_connected(world, quickbooks_app, quickbooks) -> AccountingConnection:
    """The world's company connected to the local QuickBooks, its Item and accounts mapped."""
    session = world.session
    admin = factories.make_user(session, Role.ADMIN)
    connection = connections.connect(
        session,
        admin,
        keyring(KEY),
        world.company.id,
        "quickbooks",
        client_id=QBO_CLIENT_ID,
        client_secret=QBO_CLIENT_SECRET,
        refresh_token=quickbooks.refresh_token,
        tenant_id=REALM_ID,
        access_token=quickbooks.access_token,
        expires_at=utcnow() + timedelta(minutes=30),
    )
    mapping.save_mapping(
        session,
        admin,
        world.company.id,
        "quickbooks",
        sales_account_code="1",  # the Item "Services"
        tax_types={world.vat19.id: "TAX"},
        payment_accounts={"bank_transfer": "35"},
    )
    session.commit()
    return connection


@pytest.fixture
def myob(httpserver) -> FakeMyob:
    return FakeMyob(httpserver)


@pytest.fixture
def myob_connected(world, live_app, myob) -> Iterator[AccountingConnection]:
    """The world's company connected to the local MYOB, with an expired access token."""
    overrides = {
        "SYNC_ENCRYPTION_KEY": KEY,
        "MYOB_API_URL": myob.api_url,
        "MYOB_TOKEN_URL": myob.token_url,
    }
    saved = {name: live_app.config[name] for name in overrides}
    live_app.config.update(overrides)
    session = world.session
    admin = factories.make_user(session, Role.ADMIN)
    connection = connections.connect(
        session,
        admin,
        keyring(KEY),
        world.company.id,
        "myob",
        client_id=MYOB_CLIENT_ID,
        client_secret=MYOB_CLIENT_SECRET,
        refresh_token=myob.refresh_token,
        tenant_id=FILE_ID,
    )
    mapping.save_mapping(
        session,
        admin,
        world.company.id,
        "myob",
        sales_account_code="acct-4-1000",  # account UIDs in MYOB
        tax_types={world.vat19.id: "tax-gst"},
        payment_accounts={"bank_transfer": "acct-1-1110"},
    )
    session.commit()
    yield connection
    live_app.config.update(saved)

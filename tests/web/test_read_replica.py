"""DATABASE_REPLICA_URL: list screens read a second database; everything else, and every read
while that database is down, goes to the primary."""

from collections.abc import Iterator

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import InternalError
from sqlalchemy.orm import Session

from backoffice.database import all_engines, read_session
from backoffice.devstack.embedded import free_port
from backoffice.extensions import db, limiter
from tests import factories
from tests.conftest import alembic_config, drop_database, make_app, recreate_database
from tests.logcapture import log_lines

MARKER = "Only On The Replica GmbH"


@pytest.fixture(scope="session")
def replica_database(database_url: URL) -> Iterator[URL]:
    """A second migrated database standing in for the replica, with a customer the primary
    does not have: a page that shows it was read from the replica."""
    url = database_url.set(database=f"{database_url.database}_replica")
    recreate_database(url)
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with Session(engine) as session:
        factories.make_customer(session, factories.make_company(session), name=MARKER)
        session.commit()
    engine.dispose()
    yield url
    drop_database(url)


def app_with_replica(database_url: URL, replica_url: str) -> Iterator[Flask]:
    # Session-wide like shared_app: db.test_isolation() reaches every app still alive.
    app = make_app(database_url, DATABASE_REPLICA_URL=replica_url)
    yield app
    for engine in all_engines(app):
        engine.dispose()


@pytest.fixture(scope="session")
def replica_app(engine, database_url: URL, replica_database: URL) -> Iterator[Flask]:
    yield from app_with_replica(database_url, replica_database.render_as_string(False))


@pytest.fixture(scope="session")
def down_replica_app(engine, database_url: URL) -> Iterator[Flask]:
    """Its replica URL is a port nothing listens on."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/backoffice_test_replica"
    yield from app_with_replica(database_url, url)


@pytest.fixture
def app_name() -> str:
    """Which app the test runs on; parametrize to change it."""
    return "replica_app"


@pytest.fixture
def app(request: pytest.FixtureRequest, app_name: str) -> Iterator[Flask]:
    """The chosen app, with the primary isolated per test as usual."""
    app = request.getfixturevalue(app_name)
    limiter.reset()
    with db.test_isolation():
        yield app


def test_lists_read_the_replica_when_one_is_set(client_as, customer):
    client = client_as("admin")
    page = client.get("/admin/customer/").get_data(as_text=True)
    assert MARKER in page
    assert customer.name not in page


def test_details_and_edit_read_the_primary_when_a_replica_is_set(client_as, customer):
    client = client_as("admin")
    edit = client.get(f"/admin/customer/edit/?id={customer.id}")
    assert edit.status_code == 200
    assert "Müller &amp; Söhne AG" in edit.get_data(as_text=True)
    # Screens that did not opt in list from the primary.
    users = client.get("/admin/user/").get_data(as_text=True)
    assert "admin@test.example" in users


@pytest.mark.parametrize("app_name", ["down_replica_app"])
def test_lists_read_the_primary_when_the_replica_is_down(client_as, customer):
    client = client_as("admin")
    with log_lines() as lines:
        first = client.get("/admin/customer/")
        second = client.get("/admin/invoice/")
    assert first.status_code == second.status_code == 200
    assert "Müller &amp; Söhne AG" in first.get_data(as_text=True)
    warnings = [line for line in lines if "Read replica unreachable" in line]
    # One warning, then the replica is skipped for a while rather than tried per request.
    assert len(warnings) == 1 and " WARNING " in warnings[0]


@pytest.mark.parametrize("app_name", ["shared_app"])
def test_read_session_is_the_primary_session_without_a_replica(app):
    with app.test_request_context():
        assert read_session() is db.session


def test_the_replica_session_refuses_writes(app):
    with app.test_request_context():
        session = read_session()
        assert session is not db.session
        with pytest.raises(InternalError, match="read-only transaction"):
            session.execute(text("UPDATE companies SET name = name"))


def test_reports_and_the_dashboard_read_the_replica(client_as, customer, replica_database):
    engine = create_engine(replica_database)
    with engine.connect() as conn:
        replica_company = conn.scalar(text("SELECT name FROM companies"))
    engine.dispose()
    client = client_as("admin")
    for path in ("/admin/reports/customers", "/admin/"):
        page = client.get(path).get_data(as_text=True)
        assert replica_company in page, path
        assert customer.company.name not in page, path

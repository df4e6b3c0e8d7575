"""HTTP tests: the real app against the test database, each test rolled back."""

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.extensions import db, limiter
from backoffice.services import users as users_service
from backoffice.services.reports.documents import settle_summaries
from models import Base, Role
from tests import factories

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app(shared_app) -> Iterator[Flask]:
    """The app, with every commit it makes rolled back after the test (flask-sqlalchemy-lite),
    and no failed sign-ins remembered from earlier tests."""
    limiter.reset()
    with db.test_isolation():
        yield shared_app


@pytest.fixture
def db_session(app) -> Iterator[Session]:
    """A session on the test's connection, outside any request, for setup and assertions."""
    with app.app_context():
        session = db.sessionmaker()
    yield session
    session.close()


@pytest.fixture
def company(db_session):
    return factories.make_company(db_session)


@pytest.fixture
def other_company(db_session):
    return factories.make_company(db_session)


@pytest.fixture
def vat19(db_session):
    return factories.make_tax_rate(db_session, "19")


@pytest.fixture
def customer(db_session, company):
    return factories.make_customer(db_session, company, name="Müller & Söhne AG")


# argon2id at its cheapest, so hundreds of logins stay quick; the login form and
# users.authenticate() still run for real, and no rehash is triggered.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
FAST_HASH = FAST_HASHER.hash(factories.DEFAULT_PASSWORD)


@pytest.fixture
def users(db_session, company, monkeypatch) -> dict[str, object]:
    """One user per role, each with access to `company`."""
    monkeypatch.setattr(users_service, "_hasher", FAST_HASHER)
    made = {
        role.value: factories.make_user(
            db_session,
            role,
            companies=[company],
            email=f"{role.value}@test.example",
            password_hash=FAST_HASH,
        )
        for role in Role
    }
    db_session.commit()
    return made


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Fetch a page and return the CSRF token it carries."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = factories.DEFAULT_PASSWORD):
    """Sign in through the login form, as a person would."""
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
    )


@pytest.fixture
def client_as(app, users):
    """client_as("finance") returns a test client signed in with that role."""

    def make(role: str) -> FlaskClient:
        client = app.test_client()
        response = login(client, users[role].email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


def snapshot(session: Session) -> dict[str, list[tuple]]:
    """Every row of every table except the (append-only) audit trail and browser sessions."""
    session.expire_all()
    settle_summaries(session)  # as committed: the report summaries' triggers run at commit
    skipped = {"audit_events", "staff_sessions"}
    tables = [t for t in Base.metadata.sorted_tables if t.name not in skipped]
    return {
        table.name: [
            tuple(row)
            for row in session.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in tables
    }


def messages(html: str) -> str:
    """The flashed messages and field errors a person would read on the page."""
    found = re.findall(
        r'(?s)alert-dismissable">(.*?)</div>|(?:invalid-feedback|help-block)">(.*?)</', html
    )
    texts = (re.sub(r"<[^>]+>|&times;", " ", alert or field) for alert, field in found)
    return " ".join(" ".join(text.split()) for text in texts)

"""Session-wide PostgreSQL fixtures: one migrated database per run, one rollback per test."""

import os
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from backoffice.app import create_app
from backoffice.extensions import db
from backoffice.services import audit
from models import Base

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/backoffice_test"


def resolve_database_url() -> URL:
    """Return the URL tests may wipe: DATABASE_URL or the local default, named *test*."""
    url = make_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    if url.drivername in ("postgres", "postgresql"):
        # psycopg2 is not installed; psycopg 3 is the driver this project uses.
        url = url.set(drivername="postgresql+psycopg")
    require_test_name(url)
    return url


def require_test_name(url: URL) -> None:
    """Stop the run unless the database is clearly a throwaway one."""
    if "test" not in (url.database or ""):
        pytest.exit(
            f"Refusing to run: the test database {url.database!r} (from DATABASE_URL) does not "
            "contain 'test' in its name, and the test run drops and recreates it. Point "
            "DATABASE_URL at a test database, e.g. .../backoffice_test.",
            returncode=4,
        )


def _maintenance_engine(url: URL) -> Engine:
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate_database(url: URL) -> None:
    """Drop (disconnecting anyone still on it) and create an empty database."""
    require_test_name(url)
    maintenance = _maintenance_engine(url)
    with maintenance.connect() as conn:
        name = conn.dialect.identifier_preparer.quote(url.database)
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    maintenance.dispose()


def drop_database(url: URL) -> None:
    """Drop a throwaway database."""
    require_test_name(url)
    maintenance = _maintenance_engine(url)
    with maintenance.connect() as conn:
        name = conn.dialect.identifier_preparer.quote(url.database)
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    maintenance.dispose()


def alembic_config(url: URL) -> Config:
    """Alembic configured for url (ConfigParser needs % doubled, e.g. in passwords)."""
    config = Config(str(ROOT / "alembic.ini"))
    # alembic.ini lacks path_separator, which makes Alembic 1.16+ warn (DeprecationWarning)
    # on every command; "os" is what new alembic.ini templates use.
    if not config.get_main_option("path_separator"):
        config.set_main_option("path_separator", "os")
    rendered = url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


@pytest.fixture(scope="session")
def database_url() -> Iterator[URL]:
    """The URL of the session's test database, held exclusively until the session ends.

    Every run drops and recreates the database, so two runs at once (two people, or the
    devstack runner next to a plain pytest) would destroy each other's data mid-test. A
    PostgreSQL advisory lock in the maintenance database makes the second run wait.
    """
    url = resolve_database_url()
    maintenance = _maintenance_engine(url)
    with maintenance.connect() as lock_holder:
        key = zlib.crc32(f"backoffice-tests:{url.database}".encode())
        locked = lock_holder.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        if not locked.scalar():
            print(
                f"\nWaiting for another test run using the database {url.database!r}...",
                file=sys.__stderr__,
                flush=True,
            )
            lock_holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        yield url
        # Closing the connection releases the lock.
    maintenance.dispose()


@pytest.fixture(scope="session")
def engine(database_url: URL) -> Iterator[Engine]:
    """A freshly created and migrated test database, once per test session."""
    recreate_database(database_url)
    command.upgrade(alembic_config(database_url), "head")
    audit.install()
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every commit is a savepoint inside one transaction rolled back after."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture
def committed_engine(engine: Engine) -> Iterator[Engine]:
    """The engine, for tests that commit for real; every table is emptied afterwards."""
    yield engine
    preparer = engine.dialect.identifier_preparer
    tables = ", ".join(preparer.format_table(table) for table in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # replica mode skips user triggers, including the audit trail's append-only guard.
        # LOCAL: the pooled connection must not keep the triggers off for later tests.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def make_app(database_url, **overrides) -> Flask:
    """Build the app for the test database."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "SECRET_KEY": "test-secret",
        "SECURE_COOKIES": "0",
        # Figures from Redis would outlive the rolled-back data they came from.
        "REPORT_CACHE_SECONDS": "0",
    }
    return create_app(config | overrides)


def dispose(app: Flask) -> None:
    """Close the app's connection pool (each test builds its own app)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def shared_app(engine, database_url) -> Iterator[Flask]:
    """One app per run: flask-sqlalchemy-lite isolates every app it knows, so fewer is faster."""
    app = make_app(database_url)
    yield app
    dispose(app)

"""Jobs run for real: committed data, real Redis queues, in-process or real worker processes."""

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from redis import Redis
from rq import SimpleWorker
from sqlalchemy.orm import Session

from backoffice.extensions import db
from jobs.queues import connect, queues
from models import Role
from tests import factories
from tests.conftest import dispose, make_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What the local SMTP server received."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler protocol
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port) -> Iterator[Inbox]:
    """A real SMTP server on localhost collecting what it receives."""
    # aiosmtpd narrates every connection at INFO; the app's handler would print it all.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield received
    controller.stop()


@pytest.fixture
def redis(shared_app) -> Iterator[Redis]:
    """The test Redis database, emptied before and after each test."""
    connection = connect(shared_app.config["REDIS_URL"])
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture(scope="session")
def jobs_app(engine, database_url) -> Iterator[Flask]:
    """The app for job tests: retries follow each other at once, so a failing job reaches the
    failed registry within the test instead of minutes later."""
    app = make_app(database_url, JOB_RETRY_INTERVALS="0,0")
    yield app
    dispose(app)


@pytest.fixture
def live_app(jobs_app, committed_engine, redis, smtp_port, tmp_path) -> Iterator[Flask]:
    """The app on committed data, mailing to the local SMTP port and storing PDFs in tmp_path."""
    overrides = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "DOCUMENTS_DIR": str(tmp_path),
    }
    saved = {key: jobs_app.config[key] for key in overrides}
    jobs_app.config.update(overrides)
    yield jobs_app
    jobs_app.config.update(saved)


def run_jobs(app: Flask, redis: Redis, names: tuple[str, ...] = ()) -> None:
    """Work the named queues (all by default) until empty, in this process (SimpleWorker)."""
    with app.app_context():
        SimpleWorker(queues(redis, names), connection=redis).work(burst=True)


@dataclass
class World:
    session: Session
    company: object
    customer: object
    finance: object
    vat19: object


@pytest.fixture
def world(live_app, committed_engine) -> Iterator[World]:
    """A company with an invoicing customer and a finance clerk, committed."""
    with Session(committed_engine) as session:
        # Its commits enqueue their jobs, as a request's or a job's would.
        live_app.extensions["dispatcher"].attach(session)
        company = factories.make_company(
            session,
            name="Nordlicht Software GmbH",
            tax_id="DE136695976",
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
        )
        customer = factories.make_customer(
            session, company, name="Łódź Ελλάδα Москва Zürich GmbH", email="ap@customer.example"
        )
        finance = factories.make_user(session, Role.FINANCE, companies=[company])
        vat19 = factories.make_tax_rate(session, "19")
        session.commit()
        yield World(session, company, customer, finance, vat19)


def app_session(app: Flask) -> Session:
    """A session from the app, as a request would have."""
    with app.app_context():
        return db.sessionmaker()


# The accounting sync's fixtures: the local Xero and QuickBooks, a company connected to each.
from .sync_setup import (  # noqa: E402, F401
    connected,
    myob,
    myob_connected,
    quickbooks,
    quickbooks_app,
    quickbooks_connected,
    xero,
    xero_app,
)

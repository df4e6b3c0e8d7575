"""Invoice emails through the outbox, RQ and a real SMTP server: delivered once, PDF attached."""

import io
import threading

from pypdf import PdfReader
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.services.delivery import outbox
from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle
from models import EmailMessage, Invoice, StoredDocument
from tests import factories
from tests.logcapture import log_lines
from tests.web.conftest import FAST_HASH, csrf_token, login

from .conftest import Inbox, run_jobs


def issue_invoice(world) -> Invoice:
    session = world.session
    draft = factories.make_draft(
        session, world.finance, world.customer, [factories.line(world.vat19, "3", "120.00")]
    )
    invoice = lifecycle.issue(session, world.finance, draft, factories.ISSUE_DAY)
    session.commit()
    return invoice


def pdf_text(message) -> str:
    attachment = next(part for part in message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    reader = PdfReader(io.BytesIO(attachment.get_payload(decode=True)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_invoice_email_arrives_with_its_pdf(live_app, redis, world, inbox: Inbox):
    invoice = issue_invoice(world)
    outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)

    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["To"] == "ap@customer.example"
    assert invoice.reference in received["Subject"]
    text = pdf_text(received)
    assert invoice.reference in text
    assert "Łódź Ελλάδα Москва Zürich GmbH" in text
    assert "428.40" in text  # 3 x 120.00 + 19 %
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert invoice.reference in body and "DE89370400440532013000" in body

    world.session.expire_all()
    assert world.session.get(Invoice, invoice.id).status == "sent"
    message = world.session.scalars(select(EmailMessage)).one()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert world.session.scalar(select(func.count()).select_from(StoredDocument)) == 1


def test_a_rerun_of_a_delivered_message_sends_nothing(live_app, redis, world, inbox: Inbox):
    invoice = issue_invoice(world)
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)
    with live_app.app_context():
        from jobs.email import send_email

        assert send_email(message.id) == "nothing to send"
    assert len(inbox.messages) == 1


def test_twenty_concurrent_send_clicks_make_one_email(live_app, redis, world, inbox: Inbox):
    invoice = issue_invoice(world)
    world.finance.password_hash = FAST_HASH
    world.session.commit()
    clients = []
    for _ in range(20):
        client = live_app.test_client()
        assert login(client, world.finance.email).status_code == 302
        clients.append((client, csrf_token(client, "/admin/account/")))
    start = threading.Barrier(len(clients))
    statuses = []

    def click(client, token):
        start.wait()
        response = client.post(
            f"/admin/invoice/send/{invoice.id}",
            data={"csrf_token": token, "version": str(invoice.version)},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=click, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 20

    run_jobs(live_app, redis)
    assert len(inbox.messages) == 1
    assert world.session.scalar(select(func.count()).select_from(EmailMessage)) == 1


def test_smtp_down_fails_readably_and_retry_delivers_once(live_app, redis, world, smtp_port):
    invoice = issue_invoice(world)
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)  # nothing listens on the SMTP port: every attempt fails

    world.session.expire_all()
    failed = world.session.get(EmailMessage, message.id)
    assert failed.status == "failed"
    assert failed.attempts == 3  # the first try and two retries
    assert failed.last_error == (
        f"The mail server at 127.0.0.1:{smtp_port} refused the connection: check SMTP_HOST and "
        "SMTP_PORT, and that the mail server is running."
    )
    registry = FailedJobRegistry("email", connection=redis)
    assert registry.get_job_ids() == [f"email-{message.id}"]

    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client = live_app.test_client()
        world.finance.password_hash = FAST_HASH
        world.session.commit()
        login(client, world.finance.email)
        page = client.get("/admin/jobs/").get_data(as_text=True)
        assert f"Email {invoice.reference} to ap@customer.example" in page
        assert "ConnectionRefusedError" in page and "jobs.email" not in page
        response = client.post(
            "/admin/jobs/retry",
            data={
                "job_id": f"email-{message.id}",
                "csrf_token": csrf_token(client, "/admin/account/"),
            },
        )
        assert response.status_code == 302
        run_jobs(live_app, redis)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    world.session.expire_all()
    assert world.session.get(EmailMessage, message.id).status == "sent"


def test_send_is_refused_for_a_customer_without_email(live_app, world):
    world.customer.email = ""
    world.session.commit()
    invoice = issue_invoice(world)
    try:
        outbox.queue_invoice_email(world.session, world.finance, invoice)
    except DomainError as refused:
        assert "has no email address" in refused.message
    else:
        raise AssertionError("a customer without an address got an email queued")
    world.session.rollback()
    with Session(world.session.bind) as fresh:
        assert fresh.scalar(select(func.count()).select_from(EmailMessage)) == 0


def test_an_invoice_voided_before_its_email_left_is_not_sent(live_app, redis, world, inbox: Inbox):
    invoice = issue_invoice(world)
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    lifecycle.void(world.session, world.finance, invoice, "wrong customer")
    world.session.commit()
    run_jobs(live_app, redis)
    assert inbox.messages == []
    world.session.expire_all()
    kept = world.session.get(EmailMessage, message.id)
    assert kept.status == "failed" and "was voided" in kept.last_error


def test_a_german_customer_gets_a_german_email(live_app, redis, world, inbox: Inbox):
    world.customer.language = "de"
    world.session.commit()
    invoice = issue_invoice(world)
    outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)
    received = inbox.messages[0]
    assert received["Subject"] == f"Rechnung {invoice.reference} von Nordlicht Software GmbH"
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert "über 428,40\u00a0€" in body and "Mit freundlichen Grüßen" in body


def test_every_language_has_every_email_text():
    from backoffice.services.delivery.email_labels import EMAIL_TEXT

    keys = {language: set(words) for language, words in EMAIL_TEXT.items()}
    assert all(words == keys["en"] for words in keys.values())


def test_a_failing_job_logs_each_attempts_exception_once_on_one_line(
    live_app, redis, world, smtp_port
):
    invoice = issue_invoice(world)
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    with log_lines() as lines:
        run_jobs(live_app, redis)  # nothing listens on the SMTP port: three attempts fail

    job_id = f"email-{message.id}"
    failures = [line for line in lines if "ERROR" in line and "Traceback" in line]
    assert len(failures) == 3, lines  # the first try and two retries, each logged once
    for line in failures:
        assert job_id in line and "ConnectionRefusedError" in line

"""Retry now on the invoice page: the failed PDF or email goes back to the queue at once,
once, whatever state its job was left in."""

import logging
import threading
import time

from aiosmtpd.controller import Controller
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import select

from backoffice.services.delivery import documents, outbox
from jobs.dispatch import Dispatcher
from models import AuditEvent, EmailMessage, Role
from tests.web.conftest import csrf_token

from .conftest import Inbox, run_jobs
from .test_delivery_screens import signed_in
from .test_email_delivery import issue_invoice


def retry(client, invoice) -> str:
    response = client.post(
        f"/admin/invoice/retry/{invoice.id}",
        data={"csrf_token": csrf_token(client, "/admin/account/")},
    )
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def smtp_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def state(world, message_id: int) -> tuple[str, int]:
    world.session.expire_all()
    message = world.session.get(EmailMessage, message_id)
    return message.status, message.attempts


def test_retry_now_sends_a_finally_failed_email_once(live_app, redis, world, smtp_port):
    invoice = issue_invoice(world)
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)  # nothing listens: the try and both retries fail
    assert state(world, message.id) == ("failed", 3)
    assert FailedJobRegistry("email", connection=redis).get_job_ids() == [f"email-{message.id}"]

    client, _ = signed_in(live_app, world, Role.FINANCE)
    first = retry(client, invoice)
    second = retry(client, invoice)  # a double click, or a second tab
    assert f"Retrying the email to ap@customer.example of {invoice.reference} now." in first
    assert "there is nothing to retry" in second
    assert Queue("email", connection=redis).job_ids == [f"email-{message.id}"]
    assert FailedJobRegistry("email", connection=redis).get_job_ids() == []

    controller, inbox = smtp_server(smtp_port)
    try:
        run_jobs(live_app, redis)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert state(world, message.id) == ("sent", 4)
    retried = world.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "delivery.retry")
    ).one()
    assert retried.detail == f"Retry now: the email to ap@customer.example of {invoice}"


def test_retry_now_does_not_wait_for_the_next_automatic_retry(live_app, redis, world, smtp_port):
    invoice = issue_invoice(world)
    run_jobs(live_app, redis)  # the PDF
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    # As deployed: the next attempt ten minutes after a failure.
    patient = Dispatcher(redis, retry_intervals=(600,))
    redis.delete(*redis.keys("rq:job:email-*"))
    Queue("email", connection=redis).empty()
    patient.enqueue(outbox.delivery_request(message))
    run_jobs(live_app, redis)
    assert state(world, message.id) == ("failed", 1)
    scheduled = ScheduledJobRegistry("email", connection=redis)
    assert scheduled.get_job_ids() == [f"email-{message.id}"]

    client, _ = signed_in(live_app, world, Role.FINANCE)
    retry(client, invoice)
    assert scheduled.get_job_ids() == []
    controller, inbox = smtp_server(smtp_port)
    try:
        run_jobs(live_app, redis)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and state(world, message.id) == ("sent", 2)


def test_clicks_at_the_same_moment_send_one_email(live_app, redis, world, smtp_port):
    invoice = issue_invoice(world)
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)
    clients = [signed_in(live_app, world, Role.FINANCE)[0] for _ in range(6)]
    tokens = [csrf_token(client, "/admin/account/") for client in clients]
    pages: list[str] = []

    def click(client, token) -> None:
        response = client.post(f"/admin/invoice/retry/{invoice.id}", data={"csrf_token": token})
        pages.append(client.get(response.headers["Location"]).get_data(as_text=True))

    threads = [
        threading.Thread(target=click, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum("Retrying the email" in page for page in pages) == 1
    assert sum("nothing to retry" in page for page in pages) == 5

    controller, inbox = smtp_server(smtp_port)
    try:
        run_jobs(live_app, redis)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and state(world, message.id)[0] == "sent"


def test_retry_now_renders_a_failed_pdf_again(live_app, redis, world):
    invoice = issue_invoice(world)
    documents.record_failure(world.session, invoice.id, "the renderer could not lay it out")
    world.session.commit()
    client, _ = signed_in(live_app, world, Role.ADMIN)
    page = retry(client, invoice)
    assert f"Retrying the PDF of {invoice.reference} now." in page
    run_jobs(live_app, redis)
    state = client.get(f"/admin/invoice/delivery/{invoice.id}").get_json()
    assert state["items"][0]["state"] == "delivered" and state["pending"] is False


def test_retry_in_the_instant_before_rq_marks_the_last_attempt_failed(
    live_app, redis, world, smtp_port, caplog
):
    invoice = issue_invoice(world)
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)  # every attempt fails: the message is failed in the database
    job = Job.fetch(f"email-{message.id}", connection=redis)
    job.set_status(JobStatus.STARTED)  # ...and RQ has not yet marked its last attempt
    client, _ = signed_in(live_app, world, Role.FINANCE)
    token = csrf_token(client, "/admin/account/")
    caplog.set_level(logging.INFO, logger="jobs.dispatch")
    clicked = threading.Thread(
        target=client.post,
        args=(f"/admin/invoice/retry/{invoice.id}",),
        kwargs={"data": {"csrf_token": token}},
    )
    clicked.start()
    deadline = time.monotonic() + 10
    while "finishing its attempt" not in caplog.text and time.monotonic() < deadline:
        clicked.join(timeout=0.02)
    job.set_status(JobStatus.FAILED)  # RQ catches up
    clicked.join(timeout=10)

    assert Queue("email", connection=redis).job_ids == [f"email-{message.id}"]
    assert "finishing its attempt" in caplog.text  # the click came while the job ended
    controller, inbox = smtp_server(smtp_port)
    try:
        run_jobs(live_app, redis)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and state(world, message.id)[0] == "sent"

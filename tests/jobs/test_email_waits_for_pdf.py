"""Email jobs never render: they wait for the PDF job, which has a time limit of its own."""

from collections.abc import Iterator

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from backoffice.services.delivery import outbox
from backoffice.services.invoicing import lifecycle
from models import EmailMessage, Role, StoredDocument
from tests import factories
from tests.conftest import dispose, make_app
from tests.logcapture import log_lines
from tests.web.conftest import csrf_token

from .conftest import Inbox, run_jobs
from .test_delivery_screens import signed_in
from .test_email_delivery import issue_invoice, pdf_text


def stored_pdfs(world) -> int:
    return world.session.scalar(select(func.count()).select_from(StoredDocument))


def message_state(world, message_id: int) -> tuple[str, int, str]:
    world.session.expire_all()
    message = world.session.get(EmailMessage, message_id)
    return message.status, message.attempts, message.last_error


def test_an_email_waits_for_its_pdf_instead_of_rendering_it(live_app, redis, world, inbox: Inbox):
    invoice = issue_invoice(world)
    redis.flushdb()  # Redis lost the render job that issuing asked for
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()

    run_jobs(live_app, redis, ("email",))  # only the email worker runs

    assert inbox.messages == [] and stored_pdfs(world) == 0
    assert message_state(world, message.id) == ("queued", 0, "")  # no failure burnt
    assert Queue("pdf", connection=redis).job_ids == [f"pdf-{invoice.id}-v1"]

    run_jobs(live_app, redis)  # the PDF is rendered, and its email follows at once
    assert len(inbox.messages) == 1 and invoice.reference in pdf_text(inbox.messages[0])
    assert message_state(world, message.id) == ("sent", 1, "")
    assert stored_pdfs(world) == 1


@pytest.fixture
def slow_render_app(live_app, database_url) -> Iterator:
    """The live app's settings, with a render time limit no PDF can meet."""
    keys = ("JOB_RETRY_INTERVALS", "SMTP_HOST", "SMTP_PORT", "DOCUMENTS_DIR")
    settings = {key: live_app.config[key] for key in keys}
    settings["JOB_RETRY_INTERVALS"] = ",".join(map(str, settings["JOB_RETRY_INTERVALS"]))
    app = make_app(database_url, RENDER_TIME_LIMIT_SECONDS="0.05", **settings)
    yield app
    dispose(app)


def test_a_pdf_over_the_time_limit_fails_readably_and_so_does_its_email(
    slow_render_app, live_app, redis, world, inbox: Inbox
):
    draft = factories.make_draft(
        world.session,
        world.finance,
        world.customer,
        [factories.line(world.vat19, "1", "10.00", description=f"Item {n}") for n in range(200)],
    )
    invoice = lifecycle.issue(world.session, world.finance, draft, factories.ISSUE_DAY)
    message = outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()

    with log_lines() as lines:
        run_jobs(slow_render_app, redis)

    assert inbox.messages == [] and stored_pdfs(world) == 0
    failed = FailedJobRegistry("pdf", connection=redis)
    assert failed.get_job_ids() == [f"pdf-{invoice.id}-v1"]
    job_ids = (f"pdf-{invoice.id}-v1", f"email-{message.id}")
    for job_id in job_ids:  # each failed once: rendering again would run out of time again
        assert len([line for line in lines if "ERROR" in line and f"job {job_id}:" in line]) == 1
    status, attempts, error = message_state(world, message.id)
    assert (status, attempts) == ("failed", 1)
    assert f"the PDF of {invoice.reference} could not be rendered" in error
    assert "0.05 seconds" in error

    client, _ = signed_in(slow_render_app, world, Role.FINANCE)
    page = client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    assert "PDF could not be rendered" in page and "0.05 seconds" in page
    download = client.get(f"/admin/invoice/pdf/{invoice.id}", follow_redirects=True)
    assert "could not be rendered" in download.get_data(as_text=True)

    # An admin raises the limit (the live app keeps the default) and retries both jobs.
    admin, _ = signed_in(live_app, world, Role.ADMIN)
    for job_id in job_ids:
        token = csrf_token(admin, "/admin/account/")
        retried = admin.post("/admin/jobs/retry", data={"job_id": job_id, "csrf_token": token})
        assert retried.status_code == 302
        run_jobs(live_app, redis)
    assert len(inbox.messages) == 1 and stored_pdfs(world) == 1
    assert message_state(world, message.id)[0] == "sent"
    page = admin.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    assert "Stored " in page and "could not be rendered" not in page

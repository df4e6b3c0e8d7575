"""The delivery part of the screens: PDF download, Send/Resend by role, the jobs screen."""

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from models import AuditEvent, EmailMessage, Role
from tests import factories
from tests.web.conftest import FAST_HASH, csrf_token, login

from .conftest import Inbox, run_jobs
from .test_email_delivery import issue_invoice


def signed_in(app, world, role: Role):
    user = factories.make_user(
        world.session, role, companies=[world.company], password_hash=FAST_HASH
    )
    world.session.commit()
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client, user


def post(client, path: str, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/account/")} | fields)


def test_download_sends_the_stored_pdf_as_an_attachment(live_app, redis, world):
    invoice = issue_invoice(world)
    client, _ = signed_in(live_app, world, Role.MANAGER)
    first = client.get(f"/admin/invoice/pdf/{invoice.id}")
    assert first.status_code == 302  # not rendered yet: the page says it is being prepared
    run_jobs(live_app, redis)
    response = client.get(f"/admin/invoice/pdf/{invoice.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert (
        f"attachment; filename={invoice.reference}.pdf" in response.headers["Content-Disposition"]
    )
    assert response.data.startswith(b"%PDF")


def test_another_companys_staff_cannot_download(live_app, redis, world):
    invoice = issue_invoice(world)
    run_jobs(live_app, redis)
    other = factories.make_company(world.session, name="Other Ltd")
    outsider = factories.make_user(
        world.session, Role.FINANCE, companies=[other], password_hash=FAST_HASH
    )
    world.session.commit()
    client = live_app.test_client()
    login(client, outsider.email)
    response = client.get(f"/admin/invoice/pdf/{invoice.id}")
    assert response.status_code == 302 and b"%PDF" not in response.data


def test_support_may_resend_but_not_send(live_app, redis, world, inbox: Inbox):
    invoice = issue_invoice(world)
    support, _ = signed_in(live_app, world, Role.SUPPORT)
    refused = post(support, f"/admin/invoice/send/{invoice.id}", version=str(invoice.version))
    assert refused.status_code == 403
    assert world.session.scalar(select(func.count()).select_from(EmailMessage)) == 0

    finance, _ = signed_in(live_app, world, Role.FINANCE)
    post(finance, f"/admin/invoice/send/{invoice.id}", version=str(invoice.version))
    run_jobs(live_app, redis)
    world.session.expire_all()
    invoice = world.session.merge(invoice)
    resent = post(support, f"/admin/invoice/resend/{invoice.id}", version=str(invoice.version))
    assert resent.status_code == 302
    run_jobs(live_app, redis)
    assert len(inbox.messages) == 2
    statuses = world.session.scalars(select(EmailMessage.status)).all()
    assert statuses == ["sent", "sent"]


def test_jobs_screen_is_read_only_for_managers(live_app, redis, world):
    manager, user = signed_in(live_app, world, Role.MANAGER)
    assert manager.get("/admin/jobs/").status_code == 200
    response = post(manager, "/admin/jobs/retry", job_id="email-1")
    assert response.status_code == 403
    refusal = world.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "access.refused", AuditEvent.user_email == user.email
        )
    ).one()
    assert "jobs: retry" in refusal.detail


def test_support_cannot_resend_an_invoice_that_was_never_emailed(live_app, redis, world):
    invoice = issue_invoice(world)
    support, _ = signed_in(live_app, world, Role.SUPPORT)
    response = post(support, f"/admin/invoice/resend/{invoice.id}", version=str(invoice.version))
    assert response.status_code == 302
    page = support.get(response.headers["Location"]).get_data(as_text=True)
    assert "has not been emailed yet, so there is nothing to resend" in page
    assert world.session.scalar(select(func.count()).select_from(EmailMessage)) == 0


def test_resend_goes_to_the_same_recipients_when_the_customer_changed(
    live_app, redis, world, inbox: Inbox
):
    invoice = issue_invoice(world)
    finance, _ = signed_in(live_app, world, Role.FINANCE)
    post(finance, f"/admin/invoice/send/{invoice.id}", version=str(invoice.version))
    run_jobs(live_app, redis)
    world.customer.email = "someone.else@customer.example"
    world.session.commit()
    world.session.expire_all()
    invoice = world.session.merge(invoice)
    post(finance, f"/admin/invoice/resend/{invoice.id}", version=str(invoice.version))
    run_jobs(live_app, redis)
    assert [message["To"] for message in inbox.messages] == ["ap@customer.example"] * 2


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.ADMIN, True), (Role.FINANCE, True), (Role.SUPPORT, False), (Role.MANAGER, False)],
)
def test_retrying_a_failed_job_by_role(live_app, redis, world, role, allowed):
    queue = Queue("email", connection=redis)
    job = queue.enqueue(
        "jobs.email.send_email",
        424242,
        job_id="email-424242",
        meta={"company_id": world.company.id},
    )
    queue.remove(job)
    FailedJobRegistry(queue=queue).add(job, ttl=3600, exc_string="ConnectionRefusedError: down")
    client, user = signed_in(live_app, world, role)

    response = post(client, "/admin/jobs/retry", job_id=job.id)

    failed = FailedJobRegistry(queue=queue).get_job_ids()
    if allowed:
        assert response.status_code == 302
        assert failed == [] and queue.job_ids == [job.id]  # back in its queue, once
    else:
        assert response.status_code == 403
        assert failed == [job.id] and queue.job_ids == []
        refusal = world.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "access.refused", AuditEvent.user_email == user.email
            )
        ).one()
        assert "jobs: retry" in refusal.detail


def test_jobs_and_the_audit_trail_name_invoices_by_number(live_app, redis, world):
    invoice = issue_invoice(world)
    queue = Queue("pdf", connection=redis)
    job = queue.fetch_job(f"pdf-{invoice.id}-v1")
    queue.remove(job)
    FailedJobRegistry(queue=queue).add(job, ttl=3600, exc_string="RuntimeError: disk full")
    client, _ = signed_in(live_app, world, Role.FINANCE)

    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert f"Render PDF of {invoice.reference}</a>" in page
    assert "jobs.pdf" not in page and f"#{invoice.id}<" not in page
    assert f'data-confirm="Render PDF of {invoice.reference}: run it again?"' in page

    post(client, "/admin/jobs/retry", job_id=job.id)
    trail = client.get("/admin/auditevent/").get_data(as_text=True)
    assert f"Retry: Render PDF of {invoice.reference}" in trail
    assert f"Invoice {invoice.reference}" in trail  # the issue event names the number
    assert f'<a href="/admin/invoice/details/?id={invoice.id}">Invoice</a>' in trail

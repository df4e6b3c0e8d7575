"""Bulk runs worked for real: committed data, real Redis, the run's job in this process."""

import io
import threading
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from backoffice.extensions import db
from backoffice.services.bulk import progress, runs, working
from backoffice.services.bulk.steps import Tools
from backoffice.services.delivery.storage import LocalStorage
from backoffice.services.invoicing.drafts import delete_draft
from bench.issue import copy_draft
from jobs.bulk import run_bulk
from jobs.queues import queues
from jobs.relay import relay_once
from models import (
    AuditEvent,
    BulkItemState,
    BulkKind,
    BulkRun,
    BulkRunItem,
    Invoice,
    InvoiceStatus,
)
from tests import factories
from tests.web.conftest import FAST_HASH, login

from .conftest import app_session, run_jobs


def make_drafts(world, count: int) -> list[Invoice]:
    """One draft through the services, copied in SQL as its screen would have saved it."""
    draft = factories.make_draft(
        world.session, world.finance, world.customer, [factories.line(world.vat19)]
    )
    ids = copy_draft(world.session, draft.id, count - 1)
    world.session.commit()
    return [world.session.get(Invoice, invoice_id) for invoice_id in ids]


def start(world, kind: BulkKind, invoices) -> BulkRun:
    [run] = runs.start_runs(
        world.session, world.finance, kind, [i.id for i in invoices], date.today()
    )
    world.session.commit()
    return run


def work_in_thread(app, run_id: int, barrier: threading.Barrier | None = None) -> threading.Thread:
    def work() -> None:
        with app.app_context():
            if barrier is not None:
                barrier.wait()
            run_bulk(run_id)

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def issued(world) -> list[Invoice]:
    world.session.expire_all()
    return list(
        world.session.scalars(
            select(Invoice).where(Invoice.number.is_not(None)).order_by(Invoice.number)
        )
    )


def fresh(world, run: BulkRun) -> BulkRun:
    world.session.expire_all()
    return world.session.get(BulkRun, run.id)


def test_two_runs_over_the_same_200_drafts_issue_each_once_gapless(live_app, redis, world):
    drafts = make_drafts(world, 200)
    first, second = start(world, BulkKind.ISSUE, drafts), start(world, BulkKind.ISSUE, drafts)

    barrier = threading.Barrier(2)
    threads = [work_in_thread(live_app, run.id, barrier) for run in (first, second)]
    for thread in threads:
        thread.join(120)

    documents = issued(world)
    assert [invoice.number for invoice in documents] == list(range(1, 201))
    # In draft order: created one after the other, so by id.
    assert [invoice.id for invoice in documents] == sorted(d.id for d in drafts)
    issues = world.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "invoice.issue")
    )
    assert issues == 200
    both = [fresh(world, first), fresh(world, second)]
    assert [run.state for run in both] == ["finished", "finished"]
    assert [(run.done_count, run.failed_count, run.left_count) for run in both] == [
        (200, 0, 0),
        (200, 0, 0),
    ]
    # What one run issued, the other found issued and left alone, saying so.
    outcomes = world.session.execute(
        select(BulkRunItem.state, func.count()).group_by(BulkRunItem.state)
    ).all()
    assert sorted(outcomes) == [("done", 200), ("skipped", 200)]


def test_a_cancelled_run_stops_between_invoices_and_says_what_it_did(live_app, redis, world):
    drafts = make_drafts(world, 80)
    run = start(world, BulkKind.ISSUE, drafts)
    thread = work_in_thread(live_app, run.id)
    wait_for(lambda: fresh(world, run).done_count >= 5)

    runs.request_cancel(world.session, world.finance, fresh(world, run))
    world.session.commit()
    thread.join(60)

    run = fresh(world, run)
    done = len(issued(world))
    assert run.state == "cancelled"
    assert 5 <= done < 80 and run.done_count == done and run.left_count == 80 - done
    assert progress.summary(world.session, run) == (
        f"Cancelled by {world.finance.name}: {done} of 80 issued; {80 - done} left as they were."
    )
    left = world.session.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.status == InvoiceStatus.DRAFT)
    )
    assert left == 80 - done


def test_bulk_send_emails_the_rest_and_names_the_customer_without_email(
    live_app, redis, world, inbox
):
    session = world.session
    silent = factories.make_customer(session, world.company, name="Quiet Ltd", email="")
    invoices = [
        factories.make_issued_invoice(session, world.finance, customer, today=date.today())
        for customer in (world.customer, silent, world.customer)
    ]
    session.commit()
    run = start(world, BulkKind.SEND, invoices)

    run_jobs(live_app, redis)

    assert len(inbox.messages) == 2
    subjects = sorted(message["Subject"] for message in inbox.messages)
    assert all(invoices[0].reference in s or invoices[2].reference in s for s in subjects)
    for message in inbox.messages:
        [attachment] = list(message.iter_attachments())
        assert attachment.get_payload(decode=True).startswith(b"%PDF")
    run = fresh(world, run)
    assert (run.state, run.done_count, run.failed_count) == ("finished", 2, 1)
    failed, total = progress.problems(session, run, BulkItemState.FAILED)
    assert total == 1 and failed[0].invoice_id == invoices[1].id
    assert failed[0].reason == "Quiet Ltd has no email address for invoices."
    assert progress.summary(session, run) == "Finished: 2 of 3 queued for email, 1 failed."

    # Started again: nothing is sent twice.
    again = start(world, BulkKind.SEND, invoices)
    run_jobs(live_app, redis)
    assert len(inbox.messages) == 2
    assert progress.summary(session, fresh(world, again)) == (
        "Finished: 0 of 3 queued for email, 2 needed nothing (done before), 1 failed."
    )


def test_zip_of_selected_pdfs_downloads_from_the_run_page(live_app, redis, world):
    session = world.session
    invoices = [
        factories.make_issued_invoice(session, world.finance, world.customer, today=date.today())
        for _ in range(3)
    ]
    world.finance.password_hash = FAST_HASH
    session.commit()
    run = start(world, BulkKind.ZIP, invoices[:2])
    # Only the ZIP job: the PDFs are rendered by it, not by their own jobs.
    run_jobs(live_app, redis, ("bulk",))

    client = live_app.test_client()
    assert login(client, world.finance.email).status_code == 302
    page = client.get(f"/admin/bulkrun/details/?id={run.id}").get_data(as_text=True)
    assert "Finished: 2 of 2 in the ZIP." in page and "Download ZIP (2 PDFs)" in page
    response = client.get(f"/admin/bulkrun/archive/{run.id}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(f"{i.reference}.pdf" for i in invoices[:2])
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())


def test_a_lost_run_is_relayed_and_resumes_without_redoing_what_it_did(live_app, redis, world):
    drafts = make_drafts(world, 6)
    run = start(world, BulkKind.ISSUE, drafts)
    redis.flushdb()  # Redis lost the run's job
    # A worker got through two invoices, then died.
    tools = Tools(date.today(), LocalStorage(Path(live_app.config["DOCUMENTS_DIR"])), bytes)
    with live_app.app_context():
        session = db.sessionmaker()
        working.begin(session, run.id)
        session.commit()
        for _ in range(2):
            working.work_next(session, run.id, tools)
            session.commit()
        session.close()
    # The crash left the run running; a later worker's relay gives it its job again.
    with app_session(live_app) as session:
        assert "bulk-" + str(run.id) in relay_once(
            session, live_app.extensions["dispatcher"], grace=timedelta(0)
        )
    run_jobs(live_app, redis, ("bulk",))

    assert [invoice.number for invoice in issued(world)] == [1, 2, 3, 4, 5, 6]
    issues = world.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "invoice.issue")
    )
    assert issues == 6
    run = fresh(world, run)
    assert (run.state, run.done_count) == ("finished", 6)
    assert progress.summary(world.session, run) == "Finished: 6 of 6 issued."


def test_a_run_cancelled_before_it_began_never_starts(live_app, redis, world):
    drafts = make_drafts(world, 3)
    run = start(world, BulkKind.ISSUE, drafts)
    runs.request_cancel(world.session, world.finance, fresh(world, run))
    world.session.commit()
    run_jobs(live_app, redis, ("bulk",))

    assert issued(world) == []
    assert progress.summary(world.session, fresh(world, run)) == (
        f"Cancelled by {world.finance.name}: 0 of 3 issued; 3 left as they were."
    )


def test_a_bad_or_deleted_draft_fails_alone_with_its_reason(live_app, redis, world):
    drafts = make_drafts(world, 4)
    future = date.today() + timedelta(days=3)
    drafts[1].issue_date, drafts[1].due_date = future, future + timedelta(days=30)
    world.session.commit()
    run = start(world, BulkKind.ISSUE, drafts)
    delete_draft(world.session, world.finance, drafts[2])  # still allowed while it waits
    world.session.commit()
    run_jobs(live_app, redis, ("bulk",))

    run = fresh(world, run)
    assert (run.done_count, run.failed_count) == (2, 2)
    failed, _ = progress.problems(world.session, run, BulkItemState.FAILED)
    assert [(p.invoice_id, p.label, p.reason) for p in failed] == [
        (None, "A deleted draft", "The draft was deleted before the run reached it."),
        (
            drafts[1].id,
            f"Invoice draft #{drafts[1].id} ({world.customer.name})",
            "An invoice cannot be issued with a future date.",
        ),
    ]
    assert [i.id for i in issued(world)] == [drafts[0].id, drafts[3].id]


def test_a_run_starts_before_the_pdfs_already_waiting(live_app, redis, world):
    # Month end: issuing queued a PDF job per invoice; a send run started now is not left
    # "queued" until every one of them is rendered.
    waiting = make_drafts(world, 5)
    issued = start(world, BulkKind.ISSUE, waiting)
    run_jobs(live_app, redis, ("bulk",))
    assert Queue("pdf", connection=redis).count == 5
    run = start(world, BulkKind.SEND, waiting[:1])

    with live_app.app_context():
        SimpleWorker(queues(redis), connection=redis).work(burst=True, max_jobs=1)

    world.session.expire_all()
    assert (world.session.get(BulkRun, issued.id).state, run.state) == ("finished", "finished")
    assert Queue("pdf", connection=redis).count == 5  # still waiting, worked next

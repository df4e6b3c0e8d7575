"""Gapless numbering with many issuers at once: real processes sharing nothing but PostgreSQL."""

import multiprocessing
import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backoffice.services import audit
from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle
from models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    NumberingSeries,
    Role,
    User,
)
from tests import factories

WORKERS = 8
DRAFTS = 320  # issued in the first wave
LATE_DRAFTS = 40  # issued in the second wave, while credit notes are issued
CREDITED = 24  # invoices credited in full in the second wave, one process each
ROLLBACK_EVERY = 7  # every 7th task takes a number and rolls back, then is redone
TODAY = date(2026, 6, 30)
TIMEOUT = 120  # seconds; a deadlock or a hung worker fails the test instead of hanging it


# --- the worker: runs in a fresh (spawned) interpreter ---------------------------------------


def run_tasks(url: str, user_id: int, tasks: list[tuple[str, int]]) -> Counter:
    """Issue drafts / credit invoices in full, one transaction each; some roll back and retry."""
    audit.install()
    engine = create_engine(url, pool_size=1)
    outcomes: Counter = Counter()
    retry: list[tuple[str, int]] = []
    try:
        for position, task in enumerate(tasks):
            roll_back = position % ROLLBACK_EVERY == 0
            if _run(engine, user_id, task, roll_back, outcomes) and roll_back:
                retry.append(task)
        for task in retry:  # someone issues them later after all
            _run(engine, user_id, task, False, outcomes)
    finally:
        engine.dispose()
    return outcomes


def _run(engine, user_id: int, task: tuple[str, int], roll_back: bool, outcomes: Counter) -> bool:
    kind, invoice_id = task
    with Session(engine) as session:
        audit.set_actor(session, audit.Actor(user_id, f"worker-{user_id}"))
        user = session.get(User, user_id)
        invoice = session.get(Invoice, invoice_id)
        try:
            if kind == "issue":
                lifecycle.issue(session, user, invoice, TODAY)
            else:
                lifecycle.credit_in_full(session, user, invoice, TODAY)
        except DomainError:
            session.rollback()
            outcomes[f"{kind}: refused"] += 1
            return False
        except DBAPIError as error:  # e.g. a deadlock; reported, and checked by the asserts
            session.rollback()
            outcomes[f"{kind}: {type(error.orig).__name__}"] += 1
            return False
        if roll_back:
            session.rollback()  # after the number was taken: it must be given back
            outcomes[f"{kind}: rolled back"] += 1
        else:
            session.commit()
            outcomes[f"{kind}: committed"] += 1
        return True


# --- the test --------------------------------------------------------------------------------


def _setup(engine) -> dict:
    with Session(engine) as session:
        company = factories.make_company(session)
        customer = factories.make_customer(session, company)
        rate = factories.make_tax_rate(session, "19")
        user = factories.make_user(session, Role.FINANCE, companies=[company])
        drafts = [
            factories.make_draft(session, user, customer, [factories.line(rate, "1", f"{n}.00")]).id
            for n in range(1, DRAFTS + LATE_DRAFTS + 1)
        ]
        session.commit()
        return {"company_id": company.id, "user_id": user.id, "drafts": drafts}


def _in_parallel(pool, url: str, user_id: int, tasks: list[tuple[str, int]]) -> Counter:
    shares = [(url, user_id, tasks[worker::WORKERS]) for worker in range(WORKERS)]
    total: Counter = Counter()
    for outcome in pool.starmap_async(run_tasks, shares).get(timeout=TIMEOUT):
        total.update(outcome)
    return total


def _numbers(session, company_id: int, kind: InvoiceKind) -> list[tuple[int, object]]:
    return session.execute(
        select(Invoice.number, Invoice.issued_at)
        .where(Invoice.company_id == company_id, Invoice.kind == kind.value)
        .where(Invoice.status != InvoiceStatus.DRAFT.value)
        .order_by(Invoice.number)
    ).all()


def _assert_gapless(session, company_id: int, kind: InvoiceKind, code: str, count: int) -> None:
    rows = _numbers(session, company_id, kind)
    assert [number for number, _ in rows] == list(range(1, count + 1))
    # Strictly increasing in issue order: a later number was never issued earlier.
    issued_at = [at for _, at in rows]
    assert issued_at == sorted(issued_at)
    series = session.scalars(
        select(NumberingSeries).where(
            NumberingSeries.company_id == company_id, NumberingSeries.code == code
        )
    ).one()
    assert series.last_number == count


def test_numbers_are_gapless_when_many_processes_issue_at_once(committed_engine, database_url):
    world = _setup(committed_engine)
    url = database_url.render_as_string(hide_password=False)
    drafts, late = world["drafts"][:DRAFTS], world["drafts"][DRAFTS:]
    credited = drafts[:CREDITED]

    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        first = _in_parallel(pool, url, world["user_id"], [("issue", i) for i in drafts])
        # Second wave: both series at once, both kinds in every process's share.
        second_tasks = [("issue", i) for i in late] + [("credit", i) for i in credited]
        second_tasks = second_tasks[::2] + second_tasks[1::2]
        second = _in_parallel(pool, url, world["user_id"], second_tasks)

    assert first == {"issue: committed": DRAFTS, "issue: rolled back": first["issue: rolled back"]}
    assert first["issue: rolled back"] >= DRAFTS // ROLLBACK_EVERY
    expected = {
        f"{kind}: {end}" for kind in ("issue", "credit") for end in ("committed", "rolled back")
    }
    assert set(second) <= expected, second  # nothing refused, no deadlock
    assert second["issue: committed"] == LATE_DRAFTS, second
    assert second["credit: committed"] == CREDITED, second
    assert second["credit: rolled back"] > 0, second

    with Session(committed_engine) as session:
        company_id = world["company_id"]
        _assert_gapless(session, company_id, InvoiceKind.INVOICE, "INV", DRAFTS + LATE_DRAFTS)
        _assert_gapless(session, company_id, InvoiceKind.CREDIT_NOTE, "CN", CREDITED)
        for original_id in credited:
            original = session.get(Invoice, original_id)
            notes = [n for n in original.credit_notes if n.status != InvoiceStatus.DRAFT]
            assert len(notes) == 1, original.reference
            assert original.credited_amount == original.total_amount == notes[0].total_amount
        # Nothing half-done survived: no drafts left, not even a rolled-back credit note's.
        assert session.scalars(select(Invoice).where(Invoice.number.is_(None))).all() == []


# --- numbers follow issue dates, with issuers waiting for each other ------------------------

DATED_DRAFTS = 160
DAYS = 12  # the drafts' issue dates, TODAY and the 11 days before


def issue_dated(url: str, user_id: int, invoice_ids: list[int]) -> list[tuple[int, str]]:
    """Issue each draft in its own committed transaction: (invoice id, "issued" or the refusal)."""
    audit.install()
    engine = create_engine(url, pool_size=1)
    outcomes = []
    try:
        for invoice_id in invoice_ids:
            with Session(engine) as session:
                user, invoice = session.get(User, user_id), session.get(Invoice, invoice_id)
                try:
                    lifecycle.issue(session, user, invoice, TODAY)
                    session.commit()
                    outcomes.append((invoice_id, "issued"))
                except DomainError as refusal:
                    session.rollback()
                    outcomes.append((invoice_id, str(refusal)))
    finally:
        engine.dispose()
    return outcomes


def _dated_drafts(engine, count: int) -> dict:
    """A company whose drafts carry issue dates over DAYS days, in no particular order."""
    with Session(engine) as session:
        company = factories.make_company(session)
        customer = factories.make_customer(session, company)
        rate = factories.make_tax_rate(session, "19")
        user = factories.make_user(session, Role.FINANCE, companies=[company])
        drafts = [
            factories.make_draft(
                session,
                user,
                customer,
                [factories.line(rate, "1", f"{n}.00")],
                issue_date=TODAY - timedelta(days=(n * 7) % DAYS),
            ).id
            for n in range(1, count + 1)
        ]
        session.commit()
        return {"company_id": company.id, "user_id": user.id, "drafts": drafts}


def test_numbers_follow_issue_dates_when_many_processes_issue_at_once(
    committed_engine, database_url
):
    world = _dated_drafts(committed_engine, DATED_DRAFTS)
    url = database_url.render_as_string(hide_password=False)
    shares = [(url, world["user_id"], world["drafts"][n::WORKERS]) for n in range(WORKERS)]
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        results = pool.starmap_async(issue_dated, shares).get(timeout=TIMEOUT)
    outcomes = dict(outcome for share in results for outcome in share)

    issued = [i for i, outcome in outcomes.items() if outcome == "issued"]
    refused = {i: outcome for i, outcome in outcomes.items() if outcome != "issued"}
    assert len(outcomes) == DATED_DRAFTS and issued and refused
    with Session(committed_engine) as session:
        rows = session.execute(
            select(Invoice.number, Invoice.issue_date)
            .where(Invoice.company_id == world["company_id"], Invoice.number.is_not(None))
            .order_by(Invoice.number)
        ).all()
        counter = session.scalars(
            select(NumberingSeries).where(
                NumberingSeries.company_id == world["company_id"], NumberingSeries.code == "INV"
            )
        ).one()
        assert [number for number, _ in rows] == list(range(1, len(issued) + 1))
        dates = [issue_date for _, issue_date in rows]
        assert dates == sorted(dates)  # a later number never carries an earlier date
        assert (counter.last_number, counter.last_issue_date) == (len(issued), dates[-1])
        for invoice_id, message in refused.items():
            invoice = session.get(Invoice, invoice_id)
            assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None
            assert invoice.issue_date < dates[-1]
            assert message.startswith("Numbers follow issue dates: series INV was last used on ")


def _wait_until_blocked(engine, timeout: float = 10.0) -> None:
    """Return once another session queues for a row of the counter table.

    A session waiting for a row lock holds the row's tuple lock while it waits for the
    transaction that has the row.
    """
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            queued = conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'tuple'"
                    " AND relation = 'numbering_series'::regclass AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
            if queued:
                return
            time.sleep(0.02)
    raise AssertionError("the second issuer never waited for the counter")


def _today_and_yesterday(engine) -> dict:
    """A company with two drafts, dated TODAY and the day before."""
    with Session(engine) as session:
        company = factories.make_company(session)
        customer = factories.make_customer(session, company)
        rate = factories.make_tax_rate(session, "19")
        user = factories.make_user(session, Role.FINANCE, companies=[company])
        today, yesterday = (
            factories.make_draft(
                session, user, customer, [factories.line(rate)], issue_date=TODAY - timedelta(d)
            ).id
            for d in (0, 1)
        )
        session.commit()
        return {"user_id": user.id, "today": today, "yesterday": yesterday}


@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_a_waiting_issuer_checks_its_date_against_the_issue_before_it(committed_engine, first_ends):
    world = _today_and_yesterday(committed_engine)
    url = committed_engine.url.render_as_string(hide_password=False)
    second: dict = {}
    waiting = threading.Thread(
        target=lambda: second.update(
            outcome=issue_dated(url, world["user_id"], [world["yesterday"]])
        )
    )
    with Session(committed_engine) as first:
        today = first.get(Invoice, world["today"])
        lifecycle.issue(first, first.get(User, world["user_id"]), today, TODAY)
        waiting.start()  # its issue waits for the counter the first one holds
        try:
            _wait_until_blocked(committed_engine)
        finally:
            getattr(first, first_ends)()
    waiting.join(TIMEOUT)

    if first_ends == "commit":
        refused = (
            f"Numbers follow issue dates: series INV was last used on {TODAY}, so this one "
            "cannot be issued with an earlier date."
        )
        assert second["outcome"] == [(world["yesterday"], refused)]
    else:  # the first one gave its number and its date back
        assert second["outcome"] == [(world["yesterday"], "issued")]
    with Session(committed_engine) as session:
        numbered = world["today"] if first_ends == "commit" else world["yesterday"]
        assert session.get(Invoice, numbered).number == 1
        invoice = session.get(Invoice, numbered)
        counter = factories.series(session, invoice.company, "INV")
        assert (counter.last_number, counter.last_issue_date) == (1, invoice.issue_date)

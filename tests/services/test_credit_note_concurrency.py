"""Two people crediting the same invoice in full at the same moment."""

import threading
import time
from datetime import date

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle
from models import Invoice, Role, User
from tests import factories

TODAY = date(2026, 6, 30)


def _wait_while_running_until_blocked(engine, pid: int, thread: threading.Thread) -> None:
    """Return once the thread's backend waits for a lock (or the thread is already done)."""
    deadline = time.monotonic() + 10
    with engine.connect() as conn:
        while thread.is_alive() and time.monotonic() < deadline:
            wait = conn.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid},
            ).scalar()
            if wait == "Lock":
                return
            conn.rollback()  # a fresh snapshot of pg_stat_activity
            time.sleep(0.02)


def test_second_full_credit_is_refused_cleanly_when_two_clerks_credit_at_once(
    committed_engine,
):
    with Session(committed_engine) as setup:
        company = factories.make_company(setup)
        user = factories.make_user(setup, Role.FINANCE, companies=[company])
        customer = factories.make_customer(setup, company)
        original = factories.make_issued_invoice(setup, user, customer)
        setup.commit()
        user_id, original_id = user.id, original.id

    first, second = Session(committed_engine), Session(committed_engine)
    outcomes: dict[str, object] = {}
    try:
        clerks = {}
        for name, session in (("first", first), ("second", second)):
            actor = session.get(User, user_id)
            note = lifecycle.create_credit_note(session, actor, session.get(Invoice, original_id))
            clerks[name] = (session, actor, note)

        def issue(name: str) -> None:
            session, actor, note = clerks[name]
            try:
                lifecycle.issue(session, actor, note, TODAY)
                session.commit()
                outcomes[name] = "issued"
            except (DomainError, DBAPIError) as error:
                session.rollback()
                outcomes[name] = error

        second_pid = second.execute(text("SELECT pg_backend_pid()")).scalar()
        waiting = threading.Thread(target=issue, args=("second",))
        waiting.start()
        _wait_while_running_until_blocked(committed_engine, second_pid, waiting)
        issue("first")
        waiting.join(timeout=30)
        assert not waiting.is_alive()
    finally:
        first.close()
        second.close()

    for outcome in outcomes.values():
        if isinstance(outcome, DBAPIError):
            raise outcome
    assert list(outcomes.values()).count("issued") == 1
    assert [type(o) for o in outcomes.values()].count(DomainError) == 1
    with Session(committed_engine) as check:
        credited = check.get(Invoice, original_id)
        assert credited.credited_amount == credited.total_amount
        assert len(credited.credit_notes) == 1

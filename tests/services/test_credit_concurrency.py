"""Two clerks reversing the same payment, or applying the same credit, at the same moment."""

import threading
import time
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from backoffice.services.errors import DomainError
from backoffice.services.payments import customer_credit, ledger, reversal
from models import Customer, Invoice, Payment, Role, User
from tests import factories
from tests.factories import ISSUE_DAY, line

D = Decimal


def _blocked_on_a_lock(engine: Engine, pid: int, thread: threading.Thread) -> bool:
    """Wait (up to 30 s) until the thread's backend waits for a row lock."""
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while thread.is_alive() and time.monotonic() < deadline:
            wait = conn.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid},
            ).scalar()
            if wait == "Lock":
                return True
            conn.rollback()  # a fresh snapshot of pg_stat_activity
            time.sleep(0.02)
    return False


def _race(engine: Engine, first: Callable[[Session], object], second: Callable[[Session], object]):
    """Run first up to its commit, second meanwhile in a thread; return second's outcome."""
    outcome: list[object] = []
    with Session(engine) as one, Session(engine) as two:
        first(one)  # holds its row locks until the commit below
        pid = two.execute(text("SELECT pg_backend_pid()")).scalar()

        def run() -> None:
            try:
                outcome.append(second(two))
                two.commit()
            except DomainError as error:
                two.rollback()
                outcome.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        blocked = _blocked_on_a_lock(engine, pid, thread)
        one.commit()
        thread.join(timeout=60)
        assert not thread.is_alive()
    assert blocked, "the second clerk never waited for the first one's lock"
    return outcome[0]


def _world(engine: Engine) -> dict[str, int]:
    with Session(engine) as setup:
        company = factories.make_company(setup)
        user = factories.make_user(setup, Role.FINANCE, companies=[company])
        customer = factories.make_customer(setup, company)
        rate = factories.make_tax_rate(setup, "19")
        first = factories.make_issued_invoice(setup, user, customer, [line(rate, "1")])
        second = factories.make_issued_invoice(setup, user, customer, [line(rate, "1")])
        third = factories.make_issued_invoice(setup, user, customer, [line(rate, "1")])
        payment = ledger.record_payment(
            setup, user, first, "169.00", ISSUE_DAY, excess_to_credit=True
        )  # 50.00 of credit
        setup.commit()
        return {
            "user": user.id,
            "customer": customer.id,
            "first": first.id,
            "second": second.id,
            "third": third.id,
            "payment": payment.id,
        }


def test_two_reversals_of_one_payment_count_once(committed_engine):
    ids = _world(committed_engine)

    def reverse(session: Session) -> Payment:
        payment = session.get(Payment, ids["payment"])
        return reversal.reverse_payment(
            session, session.get(User, ids["user"]), payment, "bounced", ISSUE_DAY
        )

    outcome = _race(committed_engine, reverse, reverse)
    assert isinstance(outcome, DomainError) and "already reversed" in outcome.message
    with Session(committed_engine) as check:
        invoice = check.get(Invoice, ids["first"])
        assert (invoice.paid_amount, invoice.status) == (0, "issued")
        reversals = select(func.count()).where(Payment.reverses_id == ids["payment"])
        assert check.scalar(reversals) == 1
        assert customer_credit.balances(check, ids["customer"]) == {}


def test_two_applications_of_one_credit_count_once(committed_engine):
    ids = _world(committed_engine)

    def apply_to(name: str) -> Callable[[Session], Payment]:
        def apply(session: Session) -> Payment:
            invoice = session.get(Invoice, ids[name])
            return customer_credit.apply_credit(
                session, session.get(User, ids["user"]), invoice, "50.00", ISSUE_DAY
            )

        return apply

    outcome = _race(committed_engine, apply_to("second"), apply_to("third"))
    assert isinstance(outcome, DomainError) and "no EUR credit" in outcome.message
    with Session(committed_engine) as check:
        paid = [check.get(Invoice, ids[name]).paid_amount for name in ("second", "third")]
        assert paid == [D("50.00"), 0]
        assert customer_credit.balances(check, ids["customer"]) == {}


def test_two_refunds_of_one_credit_count_once(committed_engine):
    ids = _world(committed_engine)

    def refund(session: Session):
        customer = session.get(Customer, ids["customer"])
        return customer_credit.refund_credit(
            session, session.get(User, ids["user"]), customer, "EUR", "50.00", ISSUE_DAY
        )

    outcome = _race(committed_engine, refund, refund)
    assert isinstance(outcome, DomainError) and "credit (€0.00)" in outcome.message
    with Session(committed_engine) as check:
        assert customer_credit.balances(check, ids["customer"]) == {}

"""Working a bulk run, one invoice per transaction: claim the next item, act, record.

The job (jobs/bulk.py) calls these in turn and commits after each. An item is claimed with
SKIP LOCKED and marked in the same transaction as its invoice's change, so a run that crashed
resumes at its first unfinished item, and one worked twice at once never acts twice.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import BulkItemState, BulkKind, BulkRun, BulkRunItem, BulkState, Invoice, User, utcnow

from .. import audit
from .steps import STEPS, Tools


def begin(session: Session, run_id: int) -> BulkRun | None:
    """Mark the run as running; None when it has nothing left to do (finished, cancelled)."""
    run = session.get(BulkRun, run_id, with_for_update=True)
    if run is None or run.state in (BulkState.FINISHED, BulkState.CANCELLED):
        return None
    if run.state != BulkState.RUNNING:
        run.state = BulkState.RUNNING.value
        run.started_at = run.started_at or utcnow()
        run.error = ""
    user = session.get(User, run.created_by_id)
    audit.set_actor(session, audit.Actor(user_id=user.id, email=user.email))
    session.flush()
    return run


def work_next(session: Session, run_id: int, tools: Tools) -> bool:
    """Work the run's next invoice in the session's transaction; False when the run should
    stop: nothing is left, or someone asked to cancel."""
    run = session.get(BulkRun, run_id, populate_existing=True)
    if run.cancel_requested_at is not None:
        return False
    item = session.execute(
        select(BulkRunItem.id, BulkRunItem.invoice_id)
        .where(BulkRunItem.run_id == run_id, BulkRunItem.state == BulkItemState.PENDING)
        .order_by(BulkRunItem.position)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if item is None:
        return False
    actor = session.get(User, run.created_by_id)
    audit.set_actor(session, audit.Actor(user_id=actor.id, email=actor.email))
    invoice = session.get(Invoice, item.invoice_id) if item.invoice_id is not None else None
    if invoice is None:
        state, reason = BulkItemState.FAILED, "The draft was deleted before the run reached it."
    else:
        state, reason = STEPS[BulkKind(run.kind)](session, actor, invoice, tools)
    session.execute(
        update(BulkRunItem)
        .where(BulkRunItem.id == item.id)
        .values(state=state.value, reason=reason[:2000], finished_at=utcnow())
    )
    counter = BulkRun.failed_count if state == BulkItemState.FAILED else BulkRun.done_count
    session.execute(update(BulkRun).where(BulkRun.id == run_id).values({counter: counter + 1}))
    return True


def finish(session: Session, run_id: int) -> BulkRun:
    """Close the run: cancelled if someone asked before its last invoice, else finished."""
    run = session.get(BulkRun, run_id, with_for_update=True, populate_existing=True)
    if run.state in (BulkState.FINISHED, BulkState.CANCELLED):
        return run
    cancelled = run.cancel_requested_at is not None and run.left_count > 0
    run.state = (BulkState.CANCELLED if cancelled else BulkState.FINISHED).value
    run.finished_at = utcnow()
    session.flush()
    return run


def stop(session: Session, run_id: int, error: str) -> None:
    """Record that the job gave up (its retries ran out): the page says why; Retry resumes."""
    run = session.get(BulkRun, run_id, with_for_update=True)
    if run is not None and run.state in (BulkState.QUEUED, BulkState.RUNNING):
        run.state = BulkState.STOPPED.value
        run.error = error[:2000]
        session.flush()

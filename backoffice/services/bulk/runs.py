"""Starting and cancelling bulk runs: one run per company, its invoices in a stable order."""

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from models import (
    BulkKind,
    BulkRun,
    BulkRunItem,
    BulkState,
    EmailMessage,
    Invoice,
    InvoiceStatus,
    User,
    utcnow,
)

from .. import audit, work
from ..errors import DomainError
from ..permissions import Action, require
from ..scoping import in_companies, require_company, scoped

# A run's invoices are listed when it starts; more than a month end's worth is a mistake.
MAX_INVOICES = 20_000
# What each kind does to an invoice needs the same right as doing it by hand.
KIND_ACTIONS = {
    BulkKind.ISSUE: Action.ISSUE,
    BulkKind.SEND: Action.SEND,
    BulkKind.SEND_UNSENT: Action.SEND,
    BulkKind.ZIP: Action.VIEW,
}
ACTIVE = (BulkState.QUEUED, BulkState.RUNNING)


def run_order(today: date) -> tuple:
    """Draft date (an undated draft is issued today), then creation, then id: numbers follow
    dates, and the same selection always gets its numbers in the same order."""
    return (func.coalesce(Invoice.issue_date, today), Invoice.created_at, Invoice.id)


def start_runs(
    session: Session, actor: User, kind: BulkKind, invoice_ids: Iterable[object], today: date
) -> list[BulkRun]:
    """Start one run per company over the selected invoices; the job starts after the commit."""
    _require(actor, kind)
    ids = _parse_ids(invoice_ids)
    rows = session.execute(
        scoped(
            select(Invoice.id, Invoice.company_id).where(Invoice.id.in_(ids)),
            actor,
            in_companies(Invoice.company_id),
        ).order_by(*run_order(today))
    ).all()
    if len(rows) != len(ids):
        missing = len(ids) - len(rows)
        raise DomainError(
            f"{missing} of the selected invoices do not exist or are not yours to act on; "
            "nothing was started."
        )
    return _per_company(session, actor, kind, rows)


def start_send_unsent(session: Session, actor: User, today: date) -> list[BulkRun]:
    """Start a run per company emailing every issued invoice never emailed."""
    _require(actor, BulkKind.SEND_UNSENT)
    emailed = select(EmailMessage.id).where(EmailMessage.invoice_id == Invoice.id).exists()
    rows = session.execute(
        scoped(
            select(Invoice.id, Invoice.company_id).where(
                Invoice.status.in_([InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID]),
                Invoice.sent_at.is_(None),
                ~emailed,
            ),
            actor,
            in_companies(Invoice.company_id),
        )
        .order_by(*run_order(today))
        .limit(MAX_INVOICES + 1)
    ).all()
    if not rows:
        raise DomainError("Every issued invoice you may send has been emailed already.")
    if len(rows) > MAX_INVOICES:
        raise DomainError(_too_many(len(rows)))
    return _per_company(session, actor, BulkKind.SEND_UNSENT, rows)


def _require(actor: User, kind: BulkKind) -> None:
    require(actor, Action.RUN_BULK)
    require(actor, KIND_ACTIONS[kind])


def _parse_ids(invoice_ids: Iterable[object]) -> list[int]:
    ids: list[int] = []
    for value in invoice_ids:
        text = str(value).strip()
        if not text.isdigit() or int(text) > 2**31 - 1:
            raise DomainError(f"{text[:20]!r} is not an invoice; nothing was started.")
        ids.append(int(text))
    ids = list(dict.fromkeys(ids))  # a row ticked twice is one invoice
    if not ids:
        raise DomainError("Select at least one invoice first.")
    if len(ids) > MAX_INVOICES:
        raise DomainError(_too_many(len(ids)))
    return ids


def _too_many(count: int) -> str:
    return f"{count:,} invoices are more than one run takes ({MAX_INVOICES:,}): narrow the list."


def _per_company(
    session: Session, actor: User, kind: BulkKind, rows: Sequence[tuple[int, int]]
) -> list[BulkRun]:
    by_company: dict[int, list[int]] = {}
    for invoice_id, company_id in rows:
        by_company.setdefault(company_id, []).append(invoice_id)
    return [
        _start(session, actor, kind, company_id, ids)
        for company_id, ids in sorted(by_company.items())
    ]


def _start(
    session: Session, actor: User, kind: BulkKind, company_id: int, invoice_ids: list[int]
) -> BulkRun:
    run = BulkRun(
        company_id=company_id,
        kind=kind.value,
        state=BulkState.QUEUED.value,
        created_by_id=actor.id,
        total_count=len(invoice_ids),
    )
    session.add(run)
    session.flush()
    # Core inserts: thousands of items in one statement, outside the per-row audit (the run's
    # own creation is audited, and each invoice's issue or email is audited as it happens).
    session.execute(
        insert(BulkRunItem),
        [
            {"run_id": run.id, "position": position, "invoice_id": invoice_id}
            for position, invoice_id in enumerate(invoice_ids, start=1)
        ],
    )
    audit.record(
        session, "bulk.start", entity=run, detail=f"{kind.value}: {len(invoice_ids)} invoice(s)"
    )
    work.request_job(session, run_request(run))
    return run


def run_request(run: BulkRun) -> work.JobRequest:
    """The job that works a run; one id per run, so a run has one job at a time."""
    return work.JobRequest(
        kind="run_bulk", args=(run.id,), job_id=f"bulk-{run.id}", company_id=run.company_id
    )


def catch_up_requests(session: Session, started_before: object, limit: int = 100) -> list:
    """The jobs of runs still to be worked: the relay gives each its job if Redis lost it."""
    runs = session.scalars(
        select(BulkRun)
        .where(BulkRun.state.in_(ACTIVE), BulkRun.created_at < started_before)
        .order_by(BulkRun.created_at)
        .limit(limit)
    )
    return [run_request(run) for run in runs]


def request_cancel(session: Session, actor: User, run: BulkRun) -> BulkRun:
    """Ask the run to stop before its next invoice; a run not begun stops at once."""
    require(actor, Action.RUN_BULK)
    require_company(actor, run.company_id)
    # The job holds this row for one invoice at a time: this waits at most that long.
    session.refresh(run, with_for_update=True)
    if run.state not in ACTIVE:
        raise DomainError(f"{run} has {run.state} already: there is nothing to cancel.")
    if run.cancel_requested_at is None:
        run.cancel_requested_at = utcnow()
        run.cancelled_by_id = actor.id
    if run.state == BulkState.QUEUED:
        run.state = BulkState.CANCELLED.value
        run.finished_at = utcnow()
    audit.record(session, "bulk.cancel", entity=run, detail=f"{run.kind}")
    session.flush()
    return run

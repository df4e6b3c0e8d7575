"""Where a run stands, in figures for its progress bar and in words for its summary."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from models import BulkItemState, BulkKind, BulkRun, BulkRunItem, BulkState, Invoice

# The page lists this many problems; a run with more says how many it left out.
LISTED = 200
WHAT = {
    BulkKind.ISSUE: ("Issue drafts", "issued"),
    BulkKind.SEND: ("Send invoices", "queued for email"),
    BulkKind.SEND_UNSENT: ("Send all issued but unsent", "queued for email"),
    BulkKind.ZIP: ("ZIP of PDFs", "in the ZIP"),
}


@dataclass(frozen=True)
class Problem:
    """An invoice the run did not act on, and why."""

    invoice_id: int | None  # None: a draft deleted since
    label: str  # "Invoice INV-2026-000012 (Acme Ltd)"
    reason: str


def title(run: BulkRun) -> str:
    """What the run does, e.g. "Issue drafts: 200 invoices of Nordlicht GmbH"."""
    count = f"{run.total_count} invoice{'' if run.total_count == 1 else 's'}"
    return f"{WHAT[BulkKind(run.kind)][0]}: {count} of {run.company.name}"


def figures(run: BulkRun) -> dict:
    """The progress bar's figures, as the page renders them and its script polls them."""
    total = max(run.total_count, 1)
    return {
        "state": run.state,
        "active": run.state in (BulkState.QUEUED, BulkState.RUNNING),
        "cancelling": run.cancel_requested_at is not None and run.state == BulkState.RUNNING,
        "done": run.done_count,
        "failed": run.failed_count,
        "left": run.left_count,
        "total": run.total_count,
        "done_percent": round(100 * run.done_count / total, 1),
        "failed_percent": round(100 * run.failed_count / total, 1),
        "has_archive": run.archive_key is not None,
    }


def summary(session: Session, run: BulkRun) -> str:
    """What the run did, in one or two sentences."""
    counts = dict(
        session.execute(
            select(BulkRunItem.state, func.count())
            .where(BulkRunItem.run_id == run.id)
            .group_by(BulkRunItem.state)
        ).all()
    )
    done, skipped = counts.get(BulkItemState.DONE, 0), counts.get(BulkItemState.SKIPPED, 0)
    failed, left = counts.get(BulkItemState.FAILED, 0), counts.get(BulkItemState.PENDING, 0)
    verb = WHAT[BulkKind(run.kind)][1]
    parts = [f"{done} of {run.total_count} {verb}"]
    if skipped:
        parts.append(f"{skipped} needed nothing (done before)")
    if failed:
        parts.append(f"{failed} failed")
    said = ", ".join(parts)
    if run.state == BulkState.CANCELLED:
        who = run.cancelled_by.name if run.cancelled_by else "someone"
        return f"Cancelled by {who}: {said}; {left} left as they were."
    if run.state == BulkState.STOPPED:
        return (
            f"Stopped by an error: {run.error} So far {said}; {left} left. Retry the job on "
            "the Jobs screen to go on where it stopped."
        )
    if run.state == BulkState.FINISHED:
        return f"Finished: {said}."
    if run.state == BulkState.QUEUED:
        return "Waiting for a worker to start."
    return f"Working: {said}; {left} left."


def problems(session: Session, run: BulkRun, state: BulkItemState) -> tuple[list[Problem], int]:
    """The run's failed (or skipped) invoices with the reason, the first LISTED, and how many
    there are in all."""
    where = (BulkRunItem.run_id == run.id, BulkRunItem.state == state)
    total = session.scalar(select(func.count()).select_from(BulkRunItem).where(*where))
    items = session.scalars(
        select(BulkRunItem)
        .where(*where)
        .options(joinedload(BulkRunItem.invoice).joinedload(Invoice.customer))
        .order_by(BulkRunItem.position)
        .limit(LISTED)
    )
    listed = [
        Problem(
            item.invoice_id,
            f"{item.invoice} ({item.invoice.customer.name})" if item.invoice else "A deleted draft",
            item.reason,
        )
        for item in items
    ]
    return listed, total

"""Every kind of background job: its function, queue, time limit and retries.

Services ask for a job by kind (backoffice/services/work.py); adding a kind is one entry here.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .bulk import run_bulk
from .email import send_email
from .pdf import render_invoice_pdf
from .sync import push_sync_record

# Where a worker looks first: rendering before email, so an email's attachment is ready.
# In the order a worker serves them: a bulk run starts at once, even behind a month end's
# thousands of PDF jobs (each run is one job that works its invoices one by one).
QUEUE_NAMES = ("bulk", "pdf", "email", "sync", "default")


@dataclass(frozen=True)
class JobKind:
    function: Callable[..., Any]  # takes ids and plain values, re-checks the database
    queue: str
    timeout_seconds: int  # RQ kills a job running longer and retries it
    # Seconds before each retry, after which a failing job shows as failed; None: the
    # deployment's JOB_RETRY_INTERVALS.
    retry_intervals: tuple[int, ...] | None = None
    # How long Redis keeps a finished job; while it does, the same job id cannot run again.
    # None: RQ's default (500 s).
    result_ttl_seconds: int | None = None


KINDS: Mapping[str, JobKind] = {
    # RENDER_TIME_LIMIT_SECONDS (default 120) stops a render first, and for good.
    "render_pdf": JobKind(render_invoice_pdf, queue="pdf", timeout_seconds=180),
    # The outbox row records a sent email; a finished job kept in Redis would only stop an
    # email that waited for its PDF from being asked for again when the PDF is stored.
    "send_email": JobKind(send_email, queue="email", timeout_seconds=180, result_ttl_seconds=0),
    # A record asked for again (a later change, Retry) gets a new job id (sync-<id>-r<n>);
    # keeping a finished one would only hold Redis memory.
    "push_sync_record": JobKind(
        push_sync_record, queue="sync", timeout_seconds=300, result_ttl_seconds=0
    ),
    # A month end's run issues thousands of invoices in one job (about 10 ms each); a killed
    # one is retried and resumes at its first unfinished invoice. The run's row is the record.
    "run_bulk": JobKind(run_bulk, queue="bulk", timeout_seconds=3600, result_ttl_seconds=0),
}

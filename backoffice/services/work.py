"""Background work a service asks for, handed to the queue only after its transaction commits.

Services stay free of Redis: they record a request on the session, naming the kind of job
(`render_pdf`, `send_email`, ...). The app's dispatcher (jobs/dispatch.py) refuses the commit
of a kind its registry (jobs/registry.py) does not know, and enqueues the requests once the
commit has made the work visible to a worker.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

REQUESTS = "job_requests"
DELAYED = "job_requests_delayed"


@dataclass(frozen=True)
class JobRequest:
    kind: str  # a key of the job registry, e.g. "render_pdf"
    args: tuple
    job_id: str  # deterministic: the same work requested twice is one job
    # Shown on the jobs screen, which lists a company's jobs to that company's staff only.
    invoice_id: int | None = None
    company_id: int | None = None
    # A person asked for this job again now: a failed job, or one waiting for its next
    # automatic retry, under the same id is replaced instead of absorbing the request.
    rerun: bool = False


def request_job(session: Session, request: JobRequest) -> None:
    """Ask for a job to run after the session's transaction commits."""
    session.info.setdefault(REQUESTS, []).append(request)


def pending_requests(session: Session) -> list[JobRequest]:
    """The requests recorded on the session so far, left in place."""
    return list(session.info.get(REQUESTS, []))


def take_requests(session: Session) -> list[JobRequest]:
    """Remove and return the requests recorded on the session."""
    return session.info.pop(REQUESTS, [])


def mark_delayed(session: Session) -> None:
    """Note that Redis refused the session's jobs: they wait in the database for the relay."""
    session.info[DELAYED] = True


def take_delayed(session: Session) -> bool:
    """Whether the last commit's jobs are delayed (and forget it)."""
    return session.info.pop(DELAYED, False)

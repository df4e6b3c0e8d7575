"""Background work a service asks for, handed to the queue only after its transaction commits.

Services stay free of Redis: they record a request on the session, and the dispatcher in
jobs/dispatch.py enqueues it once the commit has made the work visible to a worker.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from models import EmailMessage, Invoice

REQUESTS = "job_requests"


@dataclass(frozen=True)
class JobRequest:
    task: str  # dotted path of the job function, e.g. "jobs.pdf.render_invoice_pdf"
    args: tuple
    job_id: str  # deterministic: the same work requested twice is one job
    queue: str
    # Shown on the jobs screen, which lists a company's jobs to that company's staff only.
    invoice_id: int | None = None
    company_id: int | None = None


def request_job(session: Session, request: JobRequest) -> None:
    """Ask for a job to run after the session's transaction commits."""
    session.info.setdefault(REQUESTS, []).append(request)


def take_requests(session: Session) -> list[JobRequest]:
    """Remove and return the requests recorded on the session."""
    return session.info.pop(REQUESTS, [])


def render_pdf_request(invoice: Invoice, content_version: int) -> JobRequest:
    """The job that renders and stores an issued invoice's PDF."""
    return JobRequest(
        task="jobs.pdf.render_invoice_pdf",
        args=(invoice.id,),
        job_id=f"pdf-{invoice.id}-v{content_version}",
        queue="pdf",
        invoice_id=invoice.id,
        company_id=invoice.company_id,
    )


def send_email_request(message: EmailMessage) -> JobRequest:
    """The job that delivers one outbox message."""
    return JobRequest(
        task="jobs.email.send_email",
        args=(message.id,),
        job_id=f"email-{message.id}",
        queue="email",
        invoice_id=message.invoice_id,
        company_id=message.company_id,
    )

"""What a bulk run does to one invoice, each through the service a person's click would use.

Every step runs in a savepoint: a refusal undoes that invoice's changes alone and comes back
as its reason. A step that finds the work done already (another run, or a person, got there
first, under the same invoice lock) skips it: nothing is issued or sent twice.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import BulkItemState, BulkKind, EmailMessage, Invoice, InvoiceStatus, User

from ..delivery import documents, outbox
from ..delivery.storage import DocumentStorage
from ..errors import DomainError
from ..invoicing import lifecycle
from ..payments.card.gateway import StripeSettings
from ..permissions import Action, require
from ..scoping import require_company

Outcome = tuple[BulkItemState, str]


@dataclass(frozen=True)
class Tools:
    """What the job hands the steps from its app: the date, the store, the renderer."""

    today: date
    store: DocumentStorage
    renderer: documents.Renderer
    stripe: StripeSettings | None = None


def issue_draft(session: Session, actor: User, invoice: Invoice, tools: Tools) -> Outcome:
    """Issue the draft through the lifecycle service (its lock and gapless number)."""
    try:
        with session.begin_nested():
            lifecycle.issue(session, actor, invoice, tools.today)
    except DomainError as exc:
        # The savepoint's rollback reloads the invoice as committed: issued by someone else?
        if invoice.status != InvoiceStatus.DRAFT:
            return BulkItemState.SKIPPED, f"Already issued as {invoice.reference}: left as it is."
        return BulkItemState.FAILED, exc.message
    return BulkItemState.DONE, f"Issued as {invoice.reference}."


def send_invoice(session: Session, actor: User, invoice: Invoice, tools: Tools) -> Outcome:
    """Queue the invoice's first email through the outbox (sent once its PDF is ready)."""
    try:
        with session.begin_nested():
            message = outbox.queue_invoice_email(
                session, actor, invoice, stripe_settings=tools.stripe
            )
    except DomainError as exc:
        emailed = session.scalar(
            select(EmailMessage.id).where(EmailMessage.invoice_id == invoice.id).limit(1)
        )
        return (BulkItemState.SKIPPED if emailed else BulkItemState.FAILED), exc.message
    return BulkItemState.DONE, f"Queued for email to {message.recipients}."


def gather_pdf(session: Session, actor: User, invoice: Invoice, tools: Tools) -> Outcome:
    """Make sure the invoice's PDF is stored, rendering it as its PDF job would."""
    require(actor, Action.VIEW)
    require_company(actor, invoice.company_id)
    if invoice.is_draft:
        return BulkItemState.FAILED, f"{invoice} is a draft: only issued invoices have a PDF."
    if documents.stored_invoice_pdf(session, tools.store, invoice.id) is not None:
        return BulkItemState.DONE, "PDF ready."
    try:
        with session.begin_nested():
            documents.ensure_invoice_pdf(session, tools.store, invoice.id, tools.renderer)
            outbox.request_waiting(session, invoice.id)  # its emails may go now too
    except documents.RenderFailed as exc:
        return BulkItemState.FAILED, f"The PDF could not be rendered: {exc.message}"
    return BulkItemState.DONE, "PDF rendered."


STEPS: dict[BulkKind, Callable[[Session, User, Invoice, Tools], Outcome]] = {
    BulkKind.ISSUE: issue_draft,
    BulkKind.SEND: send_invoice,
    BulkKind.SEND_UNSENT: send_invoice,
    BulkKind.ZIP: gather_pdf,
}

"""Four eyes on large credit notes: above its company's threshold, a credit note is issued
only once someone other than its author (a manager, or an admin) approved it as it stands."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Invoice, InvoiceKind, InvoiceStatus, User, utcnow

from .. import audit
from ..errors import DomainError
from ..locking import lock_invoice
from ..money import format_money
from ..permissions import Action, can, require
from ..scoping import in_companies, require_company, scoped
from .drafts import require_draft


def above_threshold(document: Invoice, amount: Decimal) -> bool:
    """Whether crediting this amount of the document's currency needs approval: above its
    company's threshold, which is in the base currency."""
    if document.currency != document.company.base_currency:
        amount *= document.exchange_rate or Decimal(0)
    return amount > document.company.credit_note_approval_threshold


def needs_approval(note: Invoice) -> bool:
    """A credit note above its company's threshold."""
    return note.kind == InvoiceKind.CREDIT_NOTE and above_threshold(note, note.total_amount)


def is_approved(note: Invoice) -> bool:
    """Approved as it stands: any later change to the draft asks for approval again."""
    return note.approved_version is not None and note.approved_version == note.version


def missing_approval(note: Invoice) -> str | None:
    """Why the credit note cannot be issued yet for want of approval, or None."""
    if not needs_approval(note) or is_approved(note):
        return None
    company = note.company
    threshold = format_money(company.credit_note_approval_threshold, company.base_currency)
    return (
        f"This credit note of {format_money(note.total_amount, note.currency)} is above "
        f"{company.name}'s approval threshold of {threshold}: a manager approves it before "
        "it is issued."
    )


def may_approve(user: User, note: Invoice) -> bool:
    """Whether the user may approve the draft now: it waits for approval, the user's role
    approves, and the user is not its author (four eyes)."""
    return (
        note.is_draft
        and missing_approval(note) is not None
        and can(user, Action.APPROVE)
        and note.created_by_id != user.id
    )


def check_approved(note: Invoice) -> None:
    """Refuse to issue a credit note above the threshold that is not approved as it stands."""
    if problem := missing_approval(note):
        raise DomainError(problem)


def approve(session: Session, actor: User, note: Invoice) -> Invoice:
    """Approve a draft credit note above the threshold, as it stands now."""
    require(actor, Action.APPROVE)
    require_company(actor, note.company_id)
    lock_invoice(session, note)
    require_draft(note)
    if not needs_approval(note):
        raise DomainError(f"{note} is within its company's threshold and needs no approval.")
    if note.created_by_id == actor.id:
        raise DomainError("Four eyes: a credit note is approved by someone other than its author.")
    if is_approved(note):
        return note
    note.approved_by_id = actor.id
    note.approved_at = utcnow()
    # The flush that writes these moves the version on by one: the approval is of that one.
    note.approved_version = note.version + 1
    session.flush()
    audit.record(
        session,
        "credit_note.approved",
        entity=note,
        detail=f"{format_money(note.total_amount, note.currency)} approved",
    )
    return note


def awaiting_approval(session: Session, user: User, company_id: int) -> int:
    """How many of the company's draft credit notes wait for approval (few: drafts)."""
    drafts = select(Invoice).where(
        Invoice.company_id == company_id,
        Invoice.kind == InvoiceKind.CREDIT_NOTE,
        Invoice.status == InvoiceStatus.DRAFT,
    )
    found = session.scalars(scoped(drafts, user, in_companies(Invoice.company_id)))
    return sum(1 for note in found if missing_approval(note))

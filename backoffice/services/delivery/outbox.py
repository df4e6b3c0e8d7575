"""Invoice emails: queued as outbox rows with the action that causes them, then delivered once.

A message is claimed (status "sending") before delivery and marked "sent" after. If a worker
dies after the SMTP server accepted a message but before it was marked, the claim expires
and the message is sent again: that window is the only at-least-once case, and every
attempt carries the same Message-ID so mail systems can recognise the repeat.
"""

from datetime import datetime, timedelta
from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models import (
    EmailMessage,
    EmailPurpose,
    EmailStatus,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    User,
    utcnow,
)

from .. import work
from ..errors import DomainError
from ..invoicing.lifecycle import record_delivery
from ..invoicing.status import OPEN_STATUSES
from ..locking import lock_invoice
from ..money import format_money
from ..payments.card.checkout import pay_link
from ..payments.card.gateway import StripeSettings
from ..payments.card.units import NotChargeableByCard
from ..permissions import Action, require
from ..scoping import require_company
from .email_labels import email_text

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "email"
CLAIM_TIMEOUT = timedelta(minutes=2)  # longer than one delivery attempt can take
_templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _recipients(invoice: Invoice) -> str:
    addresses = [part.strip() for part in invoice.customer.email.split(",") if part.strip()]
    if not addresses:
        raise DomainError(f"{invoice.customer} has no email address for invoices.", "email")
    return ", ".join(addresses)


def _render(invoice: Invoice, card_link: str | None = None) -> tuple[str, str, str]:
    """Subject, plain-text and HTML bodies in the customer's language."""
    locale = invoice.customer.language
    words = email_text(locale)
    values = {
        "reference": invoice.reference,
        "company": invoice.company.name,
        "total": format_money(invoice.total_amount, invoice.currency, locale),
        "due_date": format_date(invoice.due_date, "long", locale=locale)
        if invoice.due_date
        else "",
        "original": invoice.original_invoice.reference if invoice.original_invoice else "",
    }
    is_credit_note = invoice.kind == InvoiceKind.CREDIT_NOTE
    paragraphs = [words["credit_note" if is_credit_note else "invoice"].format(**values)]
    if not is_credit_note and invoice.due_date:
        paragraphs.append(words["pay"].format(**values))
    subject_key = "subject_credit_note" if is_credit_note else "subject_invoice"
    context = {
        "invoice": invoice,
        "paragraphs": paragraphs,
        "regards": words["regards"],
        "card_link": card_link,
        "pay_by_card": words["pay_by_card"],
    }
    return (
        words[subject_key].format(**values),
        _templates.get_template("invoice.txt").render(context),
        _templates.get_template("invoice.html").render(context),
    )


def _earlier_messages(session: Session, invoice: Invoice, resend: bool) -> list[EmailMessage]:
    """The invoice's earlier emails, refusing a Send after one and a Resend before one."""
    earlier = session.scalars(
        select(EmailMessage).where(EmailMessage.invoice_id == invoice.id)
    ).all()
    if any(m.status in (EmailStatus.QUEUED, EmailStatus.SENDING) for m in earlier):
        raise DomainError(f"An email for {invoice} is already on its way.")
    if earlier and not resend:
        raise DomainError(f"{invoice} was emailed already; use Resend to send it again.")
    if resend and not any(m.status == EmailStatus.SENT for m in earlier):
        raise DomainError(
            f"{invoice} has not been emailed yet, so there is nothing to resend: finance sends "
            "it first."
        )
    return list(earlier)


def _card_link(
    session: Session, actor: User, invoice: Invoice, stripe_settings: StripeSettings | None
) -> str | None:
    """The "Pay by card" link the email carries, if any.

    An open balance no card can pay exactly (KWD 118.995: Stripe takes steps of 0.010) leaves
    the link out: the customer still gets the invoice and pays by transfer.
    """
    if stripe_settings is None:
        return None
    try:
        return pay_link(session, actor, invoice, stripe_settings)
    except NotChargeableByCard:
        return None


def queue_invoice_email(
    session: Session,
    actor: User,
    invoice: Invoice,
    *,
    resend: bool = False,
    stripe_settings: StripeSettings | None = None,
) -> EmailMessage:
    """Put an issued invoice's email in the outbox; it goes out after the commit.

    With stripe_settings, an invoice of a company taking cards carries a "Pay by card" link.
    """
    require(actor, Action.RESEND if resend else Action.SEND)
    require_company(actor, invoice.company_id)
    lock_invoice(session, invoice)  # one request at a time per invoice: a double click waits
    if invoice.status not in OPEN_STATUSES:
        raise DomainError(f"{invoice} is {invoice.status.replace('_', ' ')} and is not sent.")
    earlier = _earlier_messages(session, invoice, resend)
    delivered = [m for m in earlier if m.status == EmailStatus.SENT]
    card_link = _card_link(session, actor, invoice, stripe_settings)
    subject, text, html = _render(invoice, card_link)
    purpose = (
        EmailPurpose.CREDIT_NOTE
        if invoice.kind == InvoiceKind.CREDIT_NOTE
        else EmailPurpose.INVOICE
    )
    message = EmailMessage(
        company_id=invoice.company_id,
        invoice_id=invoice.id,
        purpose=purpose.value,
        unique_key=f"{purpose.value}:{invoice.id}:{len(earlier) + 1}",
        # Resend: again, to the same people; anything else is a new Send.
        recipients=delivered[-1].recipients if resend else _recipients(invoice),
        subject=subject,
        body_text=text,
        body_html=html,
        created_by_id=actor.id,
    )
    session.add(message)
    session.flush()
    request_delivery(session, message)
    return message


def request_delivery(session: Session, message: EmailMessage) -> None:
    """Ask for the message to be sent once this transaction commits."""
    work.request_job(session, delivery_request(message))


def delivery_request(message: EmailMessage) -> work.JobRequest:
    """The job that sends one outbox message."""
    return work.JobRequest(
        kind="send_email",
        args=(message.id,),
        job_id=f"email-{message.id}",
        invoice_id=message.invoice_id,
        company_id=message.company_id,
    )


def awaiting_delivery(session: Session, queued_before: datetime, limit: int = 500) -> list:
    """Messages that should be on their way: queued a while ago, or claimed by an attempt
    that died (its claim expired). The relay makes sure each has its job."""
    due = or_(
        (EmailMessage.status == EmailStatus.QUEUED) & (EmailMessage.created_at < queued_before),
        (EmailMessage.status == EmailStatus.SENDING)
        & (EmailMessage.claimed_at < utcnow() - CLAIM_TIMEOUT),
    )
    return list(
        session.scalars(select(EmailMessage).where(due).order_by(EmailMessage.id).limit(limit))
    )


def claim(session: Session, message_id: int) -> EmailMessage | None:
    """Mark a message as being sent by this attempt; None when it needs no sending (it was
    sent already, or its invoice was voided meanwhile).

    Refuses (DomainError) while another attempt holds a fresh claim, so RQ retries later.
    """
    claimable = or_(
        EmailMessage.status.in_([EmailStatus.QUEUED, EmailStatus.FAILED]),
        (EmailMessage.status == EmailStatus.SENDING)
        & (EmailMessage.claimed_at < utcnow() - CLAIM_TIMEOUT),
    )
    claimed = session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, claimable)
        .values(
            status=EmailStatus.SENDING.value,
            claimed_at=utcnow(),
            attempts=EmailMessage.attempts + 1,
        )
        .returning(EmailMessage.id)
    ).scalar_one_or_none()
    message = session.get(EmailMessage, message_id, populate_existing=True)
    if message is None or message.status == EmailStatus.SENT:
        return None
    if claimed is None:
        raise DomainError(f"Email {message_id} is being sent by another attempt.")
    if message.invoice is not None and message.invoice.status == InvoiceStatus.VOID:
        # Voided while the message waited: the customer must not receive it.
        message.status = EmailStatus.FAILED.value
        message.last_error = f"Not sent: {message.invoice} was voided."
        session.flush()
        return None
    return message


def release(session: Session, message: EmailMessage) -> None:
    """Give a claim back without counting it as an attempt: the message waits for its PDF, and
    the render job (or else the relay) asks for its delivery again."""
    message.status = EmailStatus.QUEUED.value
    message.attempts -= 1
    message.claimed_at = None
    session.flush()


def request_waiting(session: Session, invoice_id: int) -> None:
    """Ask again for the queued emails of an invoice whose PDF job just ended."""
    waiting = session.scalars(
        select(EmailMessage).where(
            EmailMessage.invoice_id == invoice_id, EmailMessage.status == EmailStatus.QUEUED
        )
    )
    for message in waiting:
        request_delivery(session, message)


def mark_sent(session: Session, message_id: int) -> EmailMessage:
    """Record a delivered message; its invoice, if still open, now counts as sent.

    One voided while the email was on its way stays void: the email is still recorded as
    delivered, since the customer has it.
    """
    message = session.get(EmailMessage, message_id)
    message.status = EmailStatus.SENT.value
    message.sent_at = utcnow()
    message.last_error = ""
    if message.invoice is not None and message.invoice.status in OPEN_STATUSES:
        record_delivery(session, message.invoice)
    session.flush()
    return message


def mark_failed(session: Session, message_id: int, error: str) -> None:
    """Record why an attempt failed; a retry or a person may try again."""
    session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.status != EmailStatus.SENT)
        .values(status=EmailStatus.FAILED.value, last_error=error[:2000])
    )

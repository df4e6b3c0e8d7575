"""What a background job does, in words: "Email INV-2026-000257 to accounts@…", never its id
or the dotted path of its function."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import EmailMessage, Invoice


def _function(dotted: str) -> str:
    return dotted.rpartition(".")[2]


def job_titles(session: Session, jobs: Sequence[tuple[str, tuple]]) -> list[str]:
    """One title per (function path, arguments) pair, in two queries whatever their number."""
    message_ids = [args[0] for path, args in jobs if _function(path) == "send_email" and args]
    invoice_ids = [
        args[0] for path, args in jobs if _function(path) == "render_invoice_pdf" and args
    ]
    messages = {
        message.id: message
        for message in session.scalars(
            select(EmailMessage)
            .options(joinedload(EmailMessage.invoice))
            .where(EmailMessage.id.in_(message_ids))
        )
    }
    invoices = {
        invoice.id: invoice
        for invoice in session.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids)))
    }
    titles = []
    for path, args in jobs:
        name = _function(path)
        if name == "send_email" and args and args[0] in messages:
            message = messages[args[0]]
            what = message.invoice.reference if message.invoice else message.subject
            titles.append(f"Email {what} to {message.recipients}")
        elif name == "render_invoice_pdf" and args and args[0] in invoices:
            titles.append(f"Render PDF of {invoices[args[0]].reference}")
        elif name == "run_bulk" and args:
            titles.append(f"Bulk run {args[0]} (Records, Bulk runs)")
        else:  # a kind without words yet, or its record is gone: its name, readable
            titles.append(name.replace("_", " ").capitalize())
    return titles

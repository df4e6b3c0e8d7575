"""Row locks taken before an invoice's money or status changes."""

from sqlalchemy.orm import Session

from models import Invoice


def lock_invoice(session: Session, invoice: Invoice) -> None:
    """Reload the invoice under a row lock held until the transaction ends.

    FOR NO KEY UPDATE serialises changes to one invoice without conflicting with the KEY SHARE
    lock that a new credit note or payment takes on it through its foreign key; FOR UPDATE
    would deadlock two clerks crediting the same invoice.
    """
    session.refresh(invoice, with_for_update={"key_share": True})

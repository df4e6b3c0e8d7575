"""Row locks taken before an invoice's or a customer's money moves."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Customer, Invoice

from .errors import DomainError


def lock_invoice(session: Session, invoice: Invoice, expected_version: int | None = None) -> None:
    """Reload the invoice under a row lock held until the transaction ends.

    FOR NO KEY UPDATE serialises changes to one invoice without conflicting with the KEY SHARE
    lock that a new credit note or payment takes on it through its foreign key; FOR UPDATE
    would deadlock two clerks crediting the same invoice.

    With expected_version (the version a screen showed), a request that waited behind another
    one for the lock finds the invoice changed and is refused: a double click acts once.
    """
    session.flush()  # refresh would otherwise drop changes not yet written
    session.refresh(invoice, with_for_update={"key_share": True})
    if expected_version is not None and invoice.version != expected_version:
        raise DomainError(
            f"{invoice} changed since you opened it (someone else, or a second click); "
            "review it and try again."
        )


def lock_customer(session: Session, customer_id: int) -> None:
    """Lock a customer's row until the transaction ends, before their credit moves.

    Taken after any invoice lock (never before), so two requests cannot wait on each other.
    FOR NO KEY UPDATE, like the invoice's: new rows pointing at the customer still go in.
    """
    session.execute(
        select(Customer.id).where(Customer.id == customer_id).with_for_update(key_share=True)
    )

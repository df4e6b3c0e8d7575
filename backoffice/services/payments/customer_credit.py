"""Customer credit: money beyond what a customer owes, kept per currency as a ledger of entries.

Money moves between an invoice and the credit as a pair: a payment of method customer_credit
on the invoice (so the invoice's paid amount is still the sum of its payments) and a credit
entry of the opposite amount. Only a refund leaves the credit without an invoice.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    CreditKind,
    Customer,
    CustomerCreditEntry,
    Invoice,
    Payment,
    PaymentMethod,
    SyncRecordType,
    User,
)

from .. import audit
from ..errors import DomainError
from ..invoicing.status import UNPAID_OPEN
from ..locking import lock_customer, lock_invoice
from ..money import format_money, require_currency
from ..permissions import Action, require
from ..scoping import require_company
from ..sync import records as sync_records
from .booking import book, checked_amount

ZERO = Decimal(0)


def balances(session: Session, customer_id: int) -> dict[str, Decimal]:
    """The customer's credit per currency, only where there is some."""
    total = func.sum(CustomerCreditEntry.amount)
    rows = session.execute(
        select(CustomerCreditEntry.currency, total)
        .where(CustomerCreditEntry.customer_id == customer_id)
        .group_by(CustomerCreditEntry.currency)
        .having(total != 0)
        .order_by(CustomerCreditEntry.currency)
    )
    return dict(rows.all())


def balance(session: Session, customer_id: int, currency: str) -> Decimal:
    """The customer's credit in one currency."""
    total = session.scalar(
        select(func.sum(CustomerCreditEntry.amount)).where(
            CustomerCreditEntry.customer_id == customer_id,
            CustomerCreditEntry.currency == currency,
        )
    )
    return total or ZERO


def applicable(session: Session, invoice: Invoice) -> Decimal:
    """How much of the customer's credit could pay this invoice now (0 if none or not open)."""
    if invoice.status not in UNPAID_OPEN or invoice.balance_amount <= 0:
        return ZERO
    return min(balance(session, invoice.customer_id, invoice.currency), invoice.balance_amount)


def transfer(
    session: Session,
    invoice: Invoice,
    amount: Decimal,
    kind: CreditKind,
    description: str,
    actor_id: int | None,
    on: date,
    *,
    reverses: Payment | None = None,
) -> CustomerCreditEntry:
    """Move amount from the invoice into the credit (positive) or back (negative).

    The caller holds the invoice's lock and has checked the amounts.
    """
    lock_customer(session, invoice.customer_id)
    payment = Payment(
        payment_date=on,
        amount=-amount,
        method=PaymentMethod.CUSTOMER_CREDIT.value,
        reason=description[:500],
        reverses=reverses,
        created_by_id=actor_id,
    )
    book(session, invoice, payment, "credit.move")
    entry = CustomerCreditEntry(
        company_id=invoice.company_id,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        amount=amount,
        kind=kind.value,
        entry_date=on,
        payment=payment,
        description=description[:300],
        created_by_id=actor_id,
    )
    session.add(entry)
    session.flush()
    return entry


def move_excess(
    session: Session,
    invoice: Invoice,
    kind: CreditKind,
    description: str,
    actor_id: int | None,
    on: date,
) -> Decimal:
    """Move what was paid beyond the invoice's open balance into the customer's credit.

    The caller holds the invoice's lock. Returns the amount moved (0 when nothing is over).
    """
    excess = -invoice.balance_amount
    if excess <= 0:
        return ZERO
    transfer(session, invoice, excess, kind, description, actor_id, on)
    return excess


def take_back(
    session: Session, invoice: Invoice, amount: Decimal, description: str, actor_id: int, on: date
) -> None:
    """Pull amount from the customer's credit onto the invoice (a reversal's shortfall).

    The caller holds the invoice's lock; refused if the credit does not hold that much.
    """
    lock_customer(session, invoice.customer_id)
    available = balance(session, invoice.customer_id, invoice.currency)
    if available < amount:
        raise DomainError(
            f"{format_money(amount, invoice.currency)} of it is no longer on {invoice} and the "
            f"customer's credit holds only {format_money(available, invoice.currency)}: reverse "
            "the refund or credit use that took it first."
        )
    transfer(session, invoice, -amount, CreditKind.REVERSAL, description, actor_id, on)


def apply_credit(
    session: Session,
    actor: User,
    invoice: Invoice,
    amount: str | Decimal | None,
    on: date,
) -> Payment:
    """Pay an open invoice from the customer's credit in its currency (all that fits if None)."""
    require(actor, Action.RECORD_PAYMENT)
    require_company(actor, invoice.company_id)
    lock_invoice(session, invoice)
    if invoice.status not in UNPAID_OPEN or invoice.balance_amount <= 0:
        raise DomainError(f"{invoice} has no open balance to pay from customer credit.")
    lock_customer(session, invoice.customer_id)
    available = balance(session, invoice.customer_id, invoice.currency)
    if available <= 0:
        raise DomainError(f"{invoice.customer} has no {invoice.currency} credit to apply.")
    wanted = (
        min(available, invoice.balance_amount)
        if amount in (None, "")
        else checked_amount(amount, invoice.currency)
    )
    if wanted > available:
        raise DomainError(
            f"Only {format_money(available, invoice.currency)} of credit is available.", "amount"
        )
    if wanted > invoice.balance_amount:
        raise DomainError(
            f"{format_money(wanted, invoice.currency)} is more than the open balance "
            f"({format_money(invoice.balance_amount, invoice.currency)}).",
            "amount",
        )
    entry = transfer(
        session,
        invoice,
        -wanted,
        CreditKind.APPLIED,
        f"Applied to {invoice.reference}",
        actor.id,
        on,
    )
    # The books see it as a payment from the clearing account mapped to customer credit.
    sync_records.request_push(session, invoice.company_id, SyncRecordType.PAYMENT, entry.payment.id)
    return entry.payment


def refund_credit(
    session: Session,
    actor: User,
    customer: Customer,
    currency: str,
    amount: str | Decimal,
    on: date,
    *,
    method: str = PaymentMethod.BANK_TRANSFER.value,
    reference: str = "",
    shown: str | Decimal | None = None,
) -> CustomerCreditEntry:
    """Pay customer credit back to the customer; never more than they hold.

    shown: the credit the page showed when the refund was asked for. If it has changed since
    (the same form posted twice, a colleague's refund), the refund is refused.
    """
    require(actor, Action.RECORD_PAYMENT)
    require_company(actor, customer.company_id)
    if method not in PaymentMethod.__members__.values() or method == PaymentMethod.CUSTOMER_CREDIT:
        raise DomainError(f"Unknown refund method {method!r}.", "method")
    currency = require_currency(currency)
    value = checked_amount(amount, currency)
    if len(reference.strip()) > 100:
        raise DomainError("The reference has at most 100 characters.", "reference")
    lock_customer(session, customer.id)
    available = balance(session, customer.id, currency)
    seen = None if shown is None else checked_amount(shown, currency)
    if seen is not None and seen != available:
        raise DomainError(
            f"The customer's {currency} credit is {format_money(available, currency)} now, "
            f"not the {format_money(seen, currency)} shown when the "
            "refund was asked for: it was refunded or applied meanwhile. Nothing was refunded "
            "this time; check the credit and refund again if still needed.",
            "amount",
        )
    if value > available:
        raise DomainError(
            f"The refund ({format_money(value, currency)}) is larger than the customer's "
            f"{currency} credit ({format_money(available, currency)}).",
            "amount",
        )
    entry = CustomerCreditEntry(
        company_id=customer.company_id,
        customer_id=customer.id,
        currency=currency,
        amount=-value,
        kind=CreditKind.REFUNDED.value,
        entry_date=on,
        description="Refunded to the customer",
        method=method,
        reference=reference.strip(),
        created_by_id=actor.id,
    )
    session.add(entry)
    session.flush()
    audit.record(session, "credit.refund", entity=customer, detail=format_money(value, currency))
    return entry

"""What finance decides about a bank line: book it (a proposal, or by hand, split across
invoices), or ignore it with a reason (and undo that).

Booking goes through the payment ledger (method bank transfer, source bank import, the
bank's reference), so balances, status, customer credit, audit and accounting sync follow.
The line's row is locked first, then each invoice's: two clerks cannot book one line twice.
"""

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from models import (
    BankLineState,
    BankTransaction,
    BankTransactionPayment,
    Invoice,
    MatchConfidence,
    MatchProposal,
    Payment,
    PaymentMethod,
    PaymentSource,
    User,
    utcnow,
)

from ... import audit
from ...errors import DomainError
from ...money import format_money
from ...permissions import Action, require
from ...scoping import require_company, visible_company_ids, within
from .. import ledger
from ..booking import checked_amount

OPEN_STATES = (BankLineState.UNMATCHED.value, BankLineState.PROPOSED.value)
REASON_MAX = 500


def _lock_open(session: Session, actor: User, transaction: BankTransaction) -> None:
    require(actor, Action.RECORD_PAYMENT)
    require_company(actor, transaction.company_id)
    session.flush()
    session.refresh(transaction, with_for_update={"key_share": True})
    if transaction.state not in OPEN_STATES:
        raise DomainError(f"That bank line is {transaction.state} already.")


def _payment_reference(transaction: BankTransaction) -> str:
    # A derived reference means nothing to a person: the payer's own words say more.
    if not transaction.bank_reference.startswith("derived:"):
        return transaction.bank_reference[:100]
    return (transaction.structured_reference or transaction.remittance_text)[:100]


def _decided(transaction: BankTransaction, actor: User, state: BankLineState) -> None:
    transaction.state = state.value
    transaction.decided_by_id = actor.id
    transaction.decided_at = utcnow()


def _book(
    session: Session,
    actor: User,
    transaction: BankTransaction,
    allocations: list[tuple[Invoice, Decimal]],
    excess_to_credit: bool,
) -> list[Payment]:
    if not transaction.is_credit:
        raise DomainError(
            "This line is money paid out: record it as a refund on the invoice's page, or "
            "ignore it here with the reason."
        )
    merged: dict[int, tuple[Invoice, Decimal]] = {}
    for invoice, amount in allocations:
        if invoice.company_id != transaction.company_id:
            raise DomainError(f"{invoice} belongs to another company than this bank account.")
        if invoice.currency != transaction.currency:
            raise DomainError(
                f"The line is in {transaction.currency} and {invoice} in {invoice.currency}: "
                "record the payment on the invoice's page with the amount in "
                f"{invoice.currency}, then ignore this line with that reason."
            )
        before = merged.get(invoice.id, (invoice, Decimal(0)))[1]
        merged[invoice.id] = (invoice, before + amount)
    total = sum((amount for _, amount in merged.values()), Decimal(0))
    due, booked_before = _booked_so_far(session, transaction)
    if not merged or total != due:
        line = (
            f"is {format_money(due, transaction.currency)}"
            if due == transaction.amount
            else f"has {format_money(due, transaction.currency)} left to book"
        )
        raise DomainError(
            f"The amounts add up to {format_money(total, transaction.currency)}, but the line "
            f"{line}: book all of it.",
            "amount",
        )
    payments = []
    for invoice, amount in merged.values():
        payment = ledger.record_payment(
            session,
            actor,
            invoice,
            amount,
            transaction.booking_date,
            method=PaymentMethod.BANK_TRANSFER.value,
            reference=_payment_reference(transaction),
            source=PaymentSource.BANK_IMPORT.value,
            # A line booked again after a reversal gets payments of its own (the first
            # booking's keys name its reversed payments).
            idempotency_key=f"bank-{transaction.id}-{invoice.id}"
            + (f"-{booked_before}" if booked_before else ""),
            excess_to_credit=excess_to_credit,
        )
        session.add(BankTransactionPayment(payment_id=payment.id, transaction_id=transaction.id))
        payments.append(payment)
    _decided(transaction, actor, BankLineState.BOOKED)
    session.flush()
    audit.record(
        session,
        "bank.book",
        entity=transaction,
        detail=", ".join(f"{p.amount} on {p.invoice.reference}" for p in payments),
    )
    return payments


def left_to_book(session: Session, transaction: BankTransaction) -> Decimal:
    """The line's amount less what its payments still standing hold."""
    return _booked_so_far(session, transaction)[0]


def _booked_so_far(session: Session, transaction: BankTransaction) -> tuple[Decimal, int]:
    """What is left to book of the line, and how many payments it was ever booked as
    (reversed ones included), in one query."""
    reversal = aliased(Payment)
    standing, count = session.execute(
        select(
            func.coalesce(
                func.sum(Payment.amount).filter(
                    ~exists().where(reversal.reverses_id == Payment.id)
                ),
                0,
            ),
            func.count(),
        )
        .join(BankTransactionPayment, BankTransactionPayment.payment_id == Payment.id)
        .where(BankTransactionPayment.transaction_id == transaction.id)
    ).one()
    return transaction.amount - standing, count


def reopen_after_reversal(session: Session, payment: Payment) -> None:
    """A payment booked from a bank line was reversed (a wrong invoice, say): the line is
    open again, with its proposals, for its money to be booked right; nothing is lost."""
    transaction = session.scalars(
        select(BankTransaction)
        .join(BankTransactionPayment, BankTransactionPayment.transaction_id == BankTransaction.id)
        .where(BankTransactionPayment.payment_id == payment.id)
        .with_for_update(key_share=True)
        # Read under the lock: a copy the session loaded earlier may be stale ("proposed"
        # before its booking), and setting the state it already shows would write nothing.
        .execution_options(populate_existing=True)
    ).one_or_none()
    if transaction is None:
        return
    state = BankLineState.PROPOSED if transaction.proposals else BankLineState.UNMATCHED
    transaction.state = state.value
    transaction.decided_by_id = None
    transaction.decided_at = None
    session.flush()
    audit.record(
        session,
        "bank.reopen",
        entity=transaction,
        detail=f"{payment.amount} on {payment.invoice.reference} reversed",
    )


def confirm(
    session: Session, actor: User, proposal: MatchProposal, excess_to_credit: bool = False
) -> list[Payment]:
    """Book a line as one of its proposals says."""
    transaction = proposal.transaction
    _lock_open(session, actor, transaction)
    allocations = [(a.invoice, a.amount) for a in proposal.allocations]
    return _book(session, actor, transaction, allocations, excess_to_credit)


def confirm_all_exact(session: Session, actor: User) -> tuple[int, list[str]]:
    """Book every open line of the user's companies that has an exact proposal.

    A line that cannot be booked any more (its invoice was paid meanwhile) is skipped and
    said why; the others are booked.
    """
    require(actor, Action.RECORD_PAYMENT)
    statement = (
        select(MatchProposal)
        .join(BankTransaction, BankTransaction.id == MatchProposal.transaction_id)
        .where(
            BankTransaction.state == BankLineState.PROPOSED.value,
            MatchProposal.confidence == MatchConfidence.EXACT.value,
        )
        .order_by(BankTransaction.booking_date, BankTransaction.id)
    )
    statement = within(
        statement,
        visible_company_ids(actor),
        lambda ids: BankTransaction.company_id.in_(ids),
    )
    booked, skipped = 0, []
    for proposal in session.scalars(statement).all():
        try:
            with session.begin_nested():
                confirm(session, actor, proposal)
        except DomainError as refused:
            skipped.append(f"{proposal.transaction}: {refused.message}")
        else:
            booked += 1
    return booked, skipped


def find_invoice(session: Session, company_id: int, reference: str) -> Invoice:
    """The company's invoice with this number, as typed (any case, spaces around)."""
    text = (reference or "").strip()
    invoice = session.scalars(
        select(Invoice).where(
            Invoice.company_id == company_id, func.upper(Invoice.reference) == text.upper()
        )
    ).one_or_none()
    if invoice is None:
        raise DomainError(f"There is no invoice {text!r} in this company.", "invoice")
    return invoice


def book_by_hand(
    session: Session,
    actor: User,
    transaction: BankTransaction,
    rows: Iterable[tuple[str, str]],
    excess_to_credit: bool = False,
) -> list[Payment]:
    """Book a line onto invoices finance names, each with its part (a split when several)."""
    _lock_open(session, actor, transaction)
    allocations = [
        (
            find_invoice(session, transaction.company_id, number),
            checked_amount(amount, transaction.currency),
        )
        for number, amount in rows
        if (number or "").strip() or (amount or "").strip()
    ]
    return _book(session, actor, transaction, allocations, excess_to_credit)


def ignore(session: Session, actor: User, transaction: BankTransaction, reason: str) -> None:
    """Set a line aside (bank fees, a transfer between own accounts) with the reason."""
    _lock_open(session, actor, transaction)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("Say why this line is ignored.", "reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"The reason has at most {REASON_MAX} characters.", "reason")
    transaction.ignore_reason = reason
    _decided(transaction, actor, BankLineState.IGNORED)
    session.flush()


def undo_ignore(session: Session, actor: User, transaction: BankTransaction) -> None:
    """Bring an ignored line back to the open ones, with its proposals."""
    require(actor, Action.RECORD_PAYMENT)
    require_company(actor, transaction.company_id)
    session.refresh(transaction, with_for_update={"key_share": True})
    if transaction.state != BankLineState.IGNORED:
        raise DomainError(f"That bank line is {transaction.state}, not ignored.")
    state = BankLineState.PROPOSED if transaction.proposals else BankLineState.UNMATCHED
    transaction.ignore_reason = ""
    _decided(transaction, actor, state)
    session.flush()

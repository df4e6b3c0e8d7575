"""What the reconciliation screen lists: a user's bank lines by state, newest first."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, selectinload

from models import (
    BankAccount,
    BankLineState,
    BankTransaction,
    MatchAllocation,
    MatchProposal,
    Payment,
    User,
)

from ...scoping import scoped, visible_company_ids, within

# The screen's state filter: "open" is what still needs a person.
STATE_FILTERS = {
    "open": (BankLineState.UNMATCHED.value, BankLineState.PROPOSED.value),
    **{state.value: (state.value,) for state in BankLineState},
    "all": tuple(state.value for state in BankLineState),
}


@dataclass(frozen=True)
class LineFilter:
    state: str = "open"
    account_id: int | None = None
    # Keyset cursor: the last row of the previous page.
    before: tuple[date, int] | None = None


def visible_accounts(session: Session, actor: User) -> list[BankAccount]:
    """The bank accounts of the user's companies, to import into and filter by."""
    statement = select(BankAccount).order_by(BankAccount.name, BankAccount.id)
    return list(
        session.scalars(scoped(statement, actor, lambda ids: BankAccount.company_id.in_(ids)))
    )


def visible_line(session: Session, actor: User, line_id: int) -> BankTransaction | None:
    """One line, if it belongs to the user's companies."""
    statement = select(BankTransaction).where(BankTransaction.id == line_id)
    statement = within(
        statement, visible_company_ids(actor), lambda ids: BankTransaction.company_id.in_(ids)
    )
    return session.scalars(statement).one_or_none()


def visible_proposal(session: Session, actor: User, proposal_id: int) -> MatchProposal | None:
    """One proposal, if its line belongs to the user's companies."""
    proposal = session.get(MatchProposal, proposal_id)
    if proposal is None or visible_line(session, actor, proposal.transaction_id) is None:
        return None
    return proposal


def lines(session: Session, actor: User, wanted: LineFilter, limit: int) -> list[BankTransaction]:
    """A page of lines with their proposals and payments, newest booking date first."""
    statement = (
        select(BankTransaction)
        .where(BankTransaction.state.in_(STATE_FILTERS.get(wanted.state, STATE_FILTERS["open"])))
        .order_by(BankTransaction.booking_date.desc(), BankTransaction.id.desc())
        .limit(limit)
        .options(
            selectinload(BankTransaction.proposals)
            .selectinload(MatchProposal.allocations)
            .selectinload(MatchAllocation.invoice),
            selectinload(BankTransaction.payments).selectinload(Payment.invoice),
            selectinload(BankTransaction.bank_account),
        )
    )
    if wanted.account_id is not None:
        statement = statement.where(BankTransaction.bank_account_id == wanted.account_id)
    if wanted.before is not None:
        statement = statement.where(
            tuple_(BankTransaction.booking_date, BankTransaction.id) < wanted.before
        )
    return list(
        session.scalars(
            within(
                statement,
                visible_company_ids(actor),
                lambda ids: BankTransaction.company_id.in_(ids),
            )
        )
    )

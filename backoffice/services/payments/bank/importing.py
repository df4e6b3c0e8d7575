"""Importing a statement file: parsed whole, stored once per bank reference, then matched.

One transaction: a file that fails anywhere stores nothing. Nothing is booked here; every
line waits for a person with its proposals (or none).
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    BankAccount,
    BankLineState,
    BankTransaction,
    BankTransactionPayment,
    Customer,
    Invoice,
    InvoiceKind,
    MatchAllocation,
    MatchConfidence,
    MatchProposal,
    Payment,
    User,
)

from ... import audit
from ...errors import DomainError
from ...invoicing.status import UNPAID_OPEN
from ...permissions import Action, require
from ...scoping import require_company
from . import camt_parser, csv_parser, mt940_parser
from .matching import OpenInvoice, OpenItems, propose
from .references import bank_references
from .statement import Statement, StatementError, StatementLine

FORMATS = ("camt", "mt940", "csv")
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class ImportSummary:
    imported: int = 0
    already_known: int = 0
    exact: int = 0
    probable: int = 0
    unmatched: int = 0

    def __str__(self) -> str:
        return (
            f"{self.imported} lines imported, {self.already_known} already known, "
            f"{self.exact + self.probable} proposed ({self.exact} exact, {self.probable} "
            f"probable), {self.unmatched} unmatched"
        )


def detect_format(data: bytes) -> str:
    """Guess the format from the first bytes: XML is CAMT, SWIFT tags are MT940, else CSV."""
    head = data[:2000].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt"
    if b":20:" in head and (b":25:" in head or b":60F:" in head):
        return "mt940"
    return "csv"


def parse_file(data: bytes, fmt: str, account: BankAccount) -> Statement:
    """Parse a file of the given format (csv with the account's saved mapping)."""
    if len(data) > MAX_FILE_BYTES:
        raise StatementError("file", f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB.")
    if not data.strip():
        raise StatementError("file", "the file is empty.")
    if fmt == "camt":
        return camt_parser.parse(data)
    if fmt == "mt940":
        return mt940_parser.parse(data)
    if fmt == "csv":
        mapping = csv_parser.CsvMapping.of(account)
        if not mapping.date_column:
            raise DomainError(
                f"{account} has no CSV column mapping yet: an admin sets it under "
                "Settings > Bank accounts.",
                "format",
            )
        return csv_parser.parse(data, mapping, account.currency)
    raise DomainError(f"Unknown format {fmt!r}: one of {', '.join(FORMATS)}.", "format")


def load_open_items(session: Session, company_id: int, ibans: set[str]) -> OpenItems:
    """The company's open invoices, and which customers paid from these IBANs before."""
    # Plain columns, not ORM objects: a company may have many thousands of open invoices.
    open_amount = Invoice.total_amount - Invoice.paid_amount - Invoice.credited_amount
    rows = session.execute(
        select(
            Invoice.id,
            Invoice.reference,
            Invoice.issue_date,
            Invoice.number,
            Invoice.customer_id,
            Customer.name,
            Invoice.currency,
            open_amount,
            Invoice.due_date,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == InvoiceKind.INVOICE.value,
            Invoice.status.in_([status.value for status in UNPAID_OPEN]),
            open_amount > 0,
        )
    ).all()
    invoices = [
        OpenInvoice(
            id=row[0],
            reference=row[1] or "",
            year=row[2].year,
            number=row[3] or 0,
            customer_id=row[4],
            customer_name=row[5],
            currency=row[6],
            balance=row[7],
            due_date=row[8],
        )
        for row in rows
    ]
    payers: dict[str, set[int]] = {}
    if ibans:
        seen = session.execute(
            select(BankTransaction.counterparty_iban, Invoice.customer_id)
            .join(
                BankTransactionPayment, BankTransactionPayment.transaction_id == BankTransaction.id
            )
            .join(Payment, Payment.id == BankTransactionPayment.payment_id)
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .where(BankTransaction.company_id == company_id)
            .where(BankTransaction.counterparty_iban.in_(sorted(ibans)))
            .distinct()
        )
        for iban, customer_id in seen:
            payers.setdefault(iban, set()).add(customer_id)
    return OpenItems(invoices, payers)


def _store(
    session: Session, actor: User, account: BankAccount, line: StatementLine, reference: str
) -> BankTransaction:
    return BankTransaction(
        bank_account_id=account.id,
        company_id=account.company_id,
        bank_reference=reference,
        booking_date=line.booking_date,
        value_date=line.value_date,
        amount=line.amount,
        currency=line.currency,
        is_credit=line.is_credit,
        remittance_text=line.remittance_text,
        structured_reference=line.structured_reference,
        counterparty_name=line.counterparty_name,
        counterparty_iban=line.counterparty_iban,
        imported_by_id=actor.id,
    )


def add_proposals(transaction: BankTransaction, line: StatementLine, items: OpenItems) -> str:
    """Attach the line's proposals; returns exact, probable or unmatched."""
    for proposal in propose(line, items):
        transaction.proposals.append(
            MatchProposal(
                confidence=proposal.confidence.value,
                reason=proposal.reason[:500],
                allocations=[
                    MatchAllocation(invoice_id=invoice.id, amount=amount)
                    for invoice, amount in proposal.allocations
                ],
            )
        )
    confidences = {proposal.confidence for proposal in transaction.proposals}
    transaction.state = (BankLineState.PROPOSED if confidences else BankLineState.UNMATCHED).value
    if MatchConfidence.EXACT in confidences:
        return "exact"
    return "probable" if confidences else "unmatched"


def import_statement(
    session: Session, actor: User, account: BankAccount, data: bytes, fmt: str | None = None
) -> ImportSummary:
    """Store a statement's new lines with their proposals; the caller commits."""
    require(actor, Action.RECORD_PAYMENT)
    require_company(actor, account.company_id)
    fmt = fmt or detect_format(data)
    statement = parse_file(data, fmt, account)
    if statement.iban and statement.iban != account.iban:
        raise DomainError(
            f"This statement is for the account {statement.iban}, not for {account}.", "account"
        )
    # One import per account at a time: the second waits, then finds the lines known.
    session.refresh(account, with_for_update={"key_share": True})
    references = bank_references(statement.lines)
    known = set(
        session.scalars(
            select(BankTransaction.bank_reference).where(
                BankTransaction.bank_account_id == account.id,
                BankTransaction.bank_reference.in_(set(references)),
            )
        )
    )
    summary = ImportSummary()
    new = []
    for line, reference in zip(statement.lines, references, strict=True):
        if reference in known:
            # Imported before, or listed twice in this file (overlapping statements).
            summary.already_known += 1
            continue
        known.add(reference)
        new.append((line, reference))
    ibans = {line.counterparty_iban for line, _ in new if line.counterparty_iban}
    items = load_open_items(session, account.company_id, ibans) if new else OpenItems([])
    for line, reference in new:
        transaction = _store(session, actor, account, line, reference)
        outcome = add_proposals(transaction, line, items)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        session.add(transaction)
        summary.imported += 1
    session.flush()
    audit.record(session, "bank.import", entity=account, detail=f"{fmt.upper()} file: {summary}")
    return summary

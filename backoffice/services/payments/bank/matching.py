"""Matching a bank line to open invoices: plain functions over what the importer loaded.

A proposal is never booked here. It is exact only when our invoice number or RF reference
names the invoice, the line is money in, in the invoice's currency, for exactly what is
open; everything else that looks right is probable, with the reason in words.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import DamerauLevenshtein

from models import MatchConfidence

from ...money import format_money
from .references import invoice_id_of
from .statement import StatementLine

# A number as people type ours (INV-2026-000123): letters, the issue year, the counter,
# with or without the prefix, separators and leading zeros.
NUMBER = re.compile(
    r"(?:(?<![A-Z0-9])([A-Z]+)[\s\-/._#:]*)?(?<![0-9])((?:19|20)\d{2})[\s\-/._]*(\d{1,12})(?![0-9])"
)
# RF, check digits, then the reference, maybe in groups of four and followed by more words.
RF_TOKEN = re.compile(r"RF\d{2}[A-Z0-9 ]{1,30}")
# A counter this short without its prefix could be a date (2026-12): not taken alone.
SHORT_COUNTER = 3
NAME_SIMILARITY = 85


@dataclass(frozen=True)
class OpenInvoice:
    """What matching needs to know of one open invoice."""

    id: int
    reference: str
    year: int
    number: int
    customer_id: int
    customer_name: str
    currency: str
    balance: Decimal
    due_date: date | None = None

    @property
    def prefix(self) -> str:
        return re.sub(r"[^A-Z]", "", self.reference.upper().split(str(self.year))[0])


@dataclass
class OpenItems:
    """A company's open invoices and the payers seen before, indexed for matching."""

    invoices: list[OpenInvoice]
    # IBAN -> the customers whose invoices money from it paid.
    payers: dict[str, set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {invoice.id: invoice for invoice in self.invoices}
        self.by_key: dict[tuple[int, int], list[OpenInvoice]] = defaultdict(list)
        self.by_customer: dict[int, list[OpenInvoice]] = defaultdict(list)
        # Rules that need the exact amount look it up instead of scanning every invoice.
        self.by_amount: dict[tuple[str, Decimal], list[OpenInvoice]] = defaultdict(list)
        for invoice in sorted(self.invoices, key=lambda i: (i.due_date or date.max, i.id)):
            self.by_key[(invoice.year, invoice.number)].append(invoice)
            self.by_customer[invoice.customer_id].append(invoice)
            self.by_amount[(invoice.currency, invoice.balance)].append(invoice)
        self.names = {invoice.customer_id: invoice.customer_name for invoice in self.invoices}
        # Customers whose open invoices in a currency add up to an amount (a collective payment).
        self.by_total: dict[tuple[str, Decimal], set[int]] = defaultdict(set)
        for customer_id, invoices in self.by_customer.items():
            for currency in {invoice.currency for invoice in invoices}:
                same = [invoice.balance for invoice in invoices if invoice.currency == currency]
                if len(same) > 1:
                    self.by_total[(currency, sum(same, Decimal(0)))].add(customer_id)

    def customers_owing(self, currency: str, amount: Decimal) -> set[int]:
        """Customers with an invoice open for exactly this amount, or open ones adding up to it."""
        single = {invoice.customer_id for invoice in self.by_amount.get((currency, amount), [])}
        return single | self.by_total.get((currency, amount), set())


@dataclass
class Proposal:
    confidence: MatchConfidence
    reason: str
    allocations: list[tuple[OpenInvoice, Decimal]]


def _numbers(text: str, items: OpenItems) -> tuple[list[OpenInvoice], list[tuple[int, str]]]:
    """Open invoices whose numbers the text names, and the numbers it names that are none.

    A number two series share (INV-2026-7 and EXP-2026-7), typed without its prefix, names
    both: the proposal then lists both and cannot be exact.
    """
    found: list[OpenInvoice] = []
    unknown: list[tuple[int, str]] = []
    for letters, year, counter in NUMBER.findall(text.upper()):
        candidates = items.by_key.get((int(year), int(counter)), [])
        if letters:
            candidates = [c for c in candidates if c.prefix == letters] or candidates
        if len(counter) < SHORT_COUNTER and not any(c.prefix == letters for c in candidates):
            continue
        if not candidates:
            unknown.append((int(year), counter))
        found.extend(c for c in candidates if c not in found)
    return found, unknown


def _by_rf(line: StatementLine, items: OpenItems) -> OpenInvoice | None:
    texts = (line.structured_reference.upper(), line.remittance_text.upper())
    for token in (token for text in texts for token in RF_TOKEN.findall(text)):
        compact = token.replace(" ", "")
        # The longest prefix that is a valid reference of ours: the words after it are not.
        for end in range(len(compact), 4, -1):
            invoice_id = invoice_id_of(compact[:end])
            if invoice_id is not None:
                return items.by_id.get(invoice_id)
    return None


def _allocate(invoices: list[OpenInvoice], amount: Decimal) -> list[tuple[OpenInvoice, Decimal]]:
    """Fill the invoices' balances in order; anything left over goes on the last one."""
    allocations, left = [], amount
    for index, invoice in enumerate(invoices):
        share = left if index == len(invoices) - 1 else min(invoice.balance, left)
        if share > 0:
            allocations.append((invoice, share))
        left -= share
    return allocations


def _names(invoices: list[OpenInvoice]) -> str:
    return ", ".join(invoice.reference for invoice in invoices)


def _amount_note(line: StatementLine, invoices: list[OpenInvoice]) -> tuple[bool, str]:
    """Whether the line pays exactly what is open, and what to say when it does not."""
    currencies = {invoice.currency for invoice in invoices}
    if currencies != {line.currency}:
        theirs = ", ".join(sorted(currencies))
        return False, f"but the line is in {line.currency} and the invoice in {theirs}"
    currency = line.currency
    open_total = sum((invoice.balance for invoice in invoices), Decimal(0))
    difference = line.amount - open_total
    if difference == 0:
        return True, "and the amount is exactly what is open"
    if difference < 0:
        return False, (
            f"but it is {format_money(-difference, currency)} less than the "
            f"{format_money(open_total, currency)} open (a part payment?)"
        )
    return False, (
        f"but it is {format_money(difference, currency)} more than the "
        f"{format_money(open_total, currency)} open: the excess can go to customer credit"
    )


def _named(line: StatementLine, invoices: list[OpenInvoice], where: str) -> Proposal:
    exact, note = _amount_note(line, invoices)
    customers = {invoice.customer_id for invoice in invoices}
    if len(customers) > 1:
        exact, note = False, f"{note}; they are invoices of different customers"
    label = "Invoices" if len(invoices) > 1 else "Invoice"
    return Proposal(
        MatchConfidence.EXACT if exact else MatchConfidence.PROBABLE,
        f"{label} {_names(invoices)} named in the {where}, {note}.",
        _allocate(invoices, line.amount),
    )


def _typo(line: StatementLine, items: OpenItems, unknown: list[tuple[int, str]]):
    """An open invoice of the exact amount whose number is one slip away from one typed."""
    same_amount = items.by_amount.get((line.currency, line.amount), [])
    for year, counter in unknown:
        for invoice in same_amount:
            if (
                invoice.year == year
                and DamerauLevenshtein.distance(str(invoice.number), str(int(counter))) == 1
            ):
                return Proposal(
                    MatchConfidence.PROBABLE,
                    f"The text names {year}-{counter}, which is no open invoice; "
                    f"{invoice.reference} is one character away and open for exactly this amount.",
                    [(invoice, line.amount)],
                )
    return None


def _payer(line: StatementLine, items: OpenItems) -> tuple[int, str] | None:
    """The customer who paid: from an IBAN seen before, else a similar name."""
    known = items.payers.get(line.counterparty_iban, set()) if line.counterparty_iban else set()
    if len(known) == 1:
        customer_id = next(iter(known))
        return (
            customer_id,
            f"{items.names.get(customer_id, 'the customer')} paid from this IBAN before",
        )
    # Only customers the amount fits are compared by name: fewer false friends, and an
    # import does not compare every line with every customer.
    owing = items.customers_owing(line.currency, line.amount)
    if not line.counterparty_name or not owing:
        return None
    best = process.extractOne(
        line.counterparty_name,
        {customer_id: items.names[customer_id] for customer_id in owing},
        scorer=fuzz.token_sort_ratio,
        processor=utils.default_process,
        score_cutoff=NAME_SIMILARITY,
    )
    if best is None:
        return None
    name, score, customer_id = best
    return customer_id, f"the payer {line.counterparty_name!r} is like {name!r} ({score:.0f} %)"


def _by_customer(line: StatementLine, items: OpenItems) -> list[Proposal]:
    payer = _payer(line, items)
    if payer is None:
        return []
    customer_id, why = payer
    open_here = [i for i in items.by_customer.get(customer_id, []) if i.currency == line.currency]
    same = [invoice for invoice in open_here if invoice.balance == line.amount]
    proposals = [
        Proposal(
            MatchConfidence.PROBABLE,
            f"{invoice.reference} is open for exactly this amount and {why}.",
            [(invoice, line.amount)],
        )
        for invoice in same[:3]
    ]
    if len(open_here) > 1 and sum(i.balance for i in open_here) == line.amount:
        proposals.append(
            Proposal(
                MatchConfidence.PROBABLE,
                f"The amount is the sum of the {len(open_here)} open invoices "
                f"{_names(open_here)}, and {why}.",
                [(invoice, invoice.balance) for invoice in open_here],
            )
        )
    return proposals


def _by_amount(line: StatementLine, items: OpenItems) -> list[Proposal]:
    same = items.by_amount.get((line.currency, line.amount), [])
    if len(same) != 1:
        return []
    return [
        Proposal(
            MatchConfidence.PROBABLE,
            f"Only the amount matches: {same[0].reference} ({same[0].customer_name}) is the one "
            "invoice open for exactly this amount.",
            [(same[0], line.amount)],
        )
    ]


def propose(line: StatementLine, items: OpenItems) -> list[Proposal]:
    """What this line could pay, best first; empty for money out or nothing plausible."""
    if not line.is_credit:
        return []
    invoice = _by_rf(line, items)
    if invoice is not None:
        return [_named(line, [invoice], "RF creditor reference")]
    found, unknown = _numbers(line.structured_reference, items)
    where = "structured reference"
    if not found:
        found, more = _numbers(line.remittance_text, items)
        unknown += more
        where = "remittance text"
    if found:
        return [_named(line, found, where)]
    proposals = [p for p in [_typo(line, items, unknown)] if p is not None]
    proposals += _by_customer(line, items)
    if not proposals:
        proposals = _by_amount(line, items)
    # One proposal per set of invoices: the first (best) reason wins.
    unique: dict[tuple[int, ...], Proposal] = {}
    for proposal in proposals:
        unique.setdefault(tuple(i.id for i, _ in proposal.allocations), proposal)
    return list(unique.values())

"""The large database's documents: invoices, lines, tax rows, payments, credit notes.

bench/seed_large.py creates the reference data with the ORM and streams what this module yields
into COPY's text format (tab-separated, \\N for NULL). Everything comes from one random.Random:
a seed and an end date give the same rows on every run. Lines are not rows here: a document
names the line templates it took (LINE_CHOICES), and PostgreSQL makes the lines from them.

Amounts follow the app's rules: each line's net is the app's own `line_net` (half-up to the
currency's minor unit), computed once per line template; an invoice's tax is rounded once per
rate with `round_money` on the sum of that rate's nets, as `compute_totals` does
(tests/bench/test_seed_large.py checks every invoice of a small seed against it).

Issue dates rise with the invoice index over the span, so each series' numbers follow issue
dates; a credit note waits in a heap until the stream reaches its date, so the credit note
series does too.
"""

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from typing import NamedTuple

from backoffice.services.invoicing.numbering import format_reference
from backoffice.services.invoicing.totals import HUNDRED, line_net
from backoffice.services.money import minor_unit, round_money
from bench.seed_large_customers import PROFILES, CustomerRef, copy_text

ZERO = Decimal(0)
NULL = "\\N"
MAX_LINES = 19  # 1 to 19 lines, 10 on average
TEMPLATES_PER_POOL = 1500
QUANTITIES = [Decimal(q) for q in ("1", "1", "1", "2", "3", "5", "10", "2.5", "0.75", "12")]
DISCOUNTS = [Decimal(d) for d in ("0", "0", "0", "0", "5", "10", "12.5")]
METHODS = ("bank_transfer", "bank_transfer", "bank_transfer", "card", "direct_debit")
SOURCES, SOURCE_WEIGHTS = ("manual", "bank_import", "gateway"), (70, 95, 100)  # cumulative
# Fates by age in days: cumulative thresholds for draft, void, credited, open and partially
# paid; the rest is paid. Old invoices are mostly settled, recent ones open.
FATES = (
    (30, (0.12, 0.14, 0.16, 0.66, 0.76)),
    (90, (0.005, 0.025, 0.055, 0.175, 0.255)),
    (None, (0.002, 0.022, 0.052, 0.072, 0.102)),
)
DRAFT, VOID, CREDITED, OPEN, PARTIAL, PAID = range(6)
COLUMNS = {
    "invoices": "id, company_id, customer_id, kind, status, series_id, number, reference, "
    "issue_date, due_date, currency, exchange_rate, po_reference, notes, terms, "
    "original_invoice_id, "
    "net_amount, tax_amount, total_amount, paid_amount, credited_amount, version, "
    "created_by_id, created_at, updated_at, issued_at, sent_at, voided_at, void_reason, "
    "seller_details, buyer_details",
    "invoice_lines": "id, invoice_id, position, product_id, description, quantity, unit, "
    "unit_price, discount_percent, tax_rate_id, net_amount",
    "invoice_tax_totals": "id, invoice_id, tax_rate_id, percentage, category, exemption_code, "
    "exemption_reason, taxable_amount, tax_amount",
    "payments": "id, invoice_id, company_id, payment_date, amount, method, reference, source, "
    "reason, idempotency_key, created_by_id, created_at",
}
# PostgreSQL makes the lines (bench/seed_large.py, LINES_SQL): the stream names, per document,
# its pool of priced line templates and which of them in order, and COPYs the templates once.
LINE_CHOICES = "seed_line_choices"
LINE_TEMPLATES = "seed_line_templates"
COPIED = {
    "invoices": COLUMNS["invoices"],
    "invoice_tax_totals": COLUMNS["invoice_tax_totals"],
    "payments": COLUMNS["payments"],
    LINE_CHOICES: "invoice_id, pool_id, first_line_id, templates",
}


# Every time of day to the minute, formatted once: the stream stamps millions of rows.
TIMES = tuple(f"{minute // 60:02d}:{minute % 60:02d}:00+00" for minute in range(24 * 60))


def stamp(day: date, minute: int) -> str:
    """A UTC timestamp on day, minute minutes after midnight."""
    return f"{day} {TIMES[minute]}"


def optional(value: object) -> str:
    return NULL if value is None else str(value)


@dataclass(frozen=True)
class RateRef:
    id: int
    percentage: Decimal
    columns: str  # percentage, category, exemption code and reason, as tax rows copy them


@dataclass(frozen=True)
class ProductRef:
    id: int
    name: str
    unit: str
    price: Decimal  # in the base currency (EUR)
    rate_key: int | str


class SeriesRef(NamedTuple):
    """What numbering needs of a series, read once (not through the ORM per number)."""

    id: int
    prefix: str
    padding: int


@dataclass(frozen=True)
class CompanyRef:
    id: int
    weight: int
    invoices: SeriesRef
    credit_notes: SeriesRef
    seller_details: str  # JSON, escaped for COPY
    products: tuple[ProductRef, ...]


@dataclass
class World:
    """What the ORM created, the customers, and the span the documents cover."""

    companies: list[CompanyRef]
    rates: dict[int | str, RateRef]
    exchange_rates: dict[str, Decimal]
    clerk_id: int
    end: date
    days: int
    customers: list[CustomerRef] = field(default_factory=list)
    customer_ranges: dict[int, range] = field(default_factory=dict)

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @property
    def rate_by_id(self) -> dict[int, RateRef]:
        return {rate.id: rate for rate in self.rates.values()}


class Template(NamedTuple):
    """One priced line, ready for any invoice: its tax rate, net, COPY columns and its index
    in its pool."""

    rate_id: int
    net: Decimal
    columns: str
    index: int


def line_pool(
    world: World, company: CompanyRef, rate_keys: tuple, currency: str, rng: random.Random
) -> list[Template]:
    """Lines a company sells to one kind of customer, priced in their currency."""
    pool = []
    for _ in range(TEMPLATES_PER_POOL):
        product = rng.choice(company.products)
        key = rng.choice(rate_keys)
        rate = world.rates[product.rate_key if key == "product" else key]
        price = product.price / world.exchange_rates[currency]
        quantity, discount = rng.choice(QUANTITIES), rng.choice(DISCOUNTS)
        if price < 1:  # metered products: sub-cent prices, rounded only on the line
            price, quantity = price.quantize(Decimal("1e-6")), quantity * 1000
        else:
            price = round_money(price, currency)
        net = line_net(quantity, price, discount, currency)
        columns = (
            f"{product.id}\t{copy_text(product.name)}\t{quantity}\t{product.unit}\t{price}\t"
            f"{discount}\t{rate.id}\t{net}"
        )
        pool.append(Template(rate.id, net, columns, len(pool)))
    return pool


@dataclass
class Batch:
    """A chunk of COPY rows per table, and how many invoices (not credit notes) it holds."""

    rows: dict[str, list[str]] = field(default_factory=lambda: {table: [] for table in COPIED})
    invoice_count: int = 0


@dataclass
class Document:
    """An invoices row in the making; to_row renders it in COLUMNS order."""

    id: int
    company: CompanyRef
    customer: CustomerRef
    day: date
    minute: int
    totals: tuple[Decimal, Decimal, Decimal]
    po_reference: str = ""
    kind: str = "invoice"
    status: str = "draft"
    series: SeriesRef | None = None
    number: int | None = None
    reference: str | None = None
    paid: Decimal = ZERO
    credited: Decimal = ZERO
    sent_at: str | None = None
    voided_at: str | None = None
    original_id: int | None = None
    notes: str = ""

    def to_row(self, world: World) -> str:
        net, tax, total = self.totals
        customer, day = self.customer, self.day
        created = stamp(day, self.minute - 30)
        updated = stamp(day, self.minute)
        if self.status == "draft":
            issued = f"{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{customer.currency}\t{NULL}"
            issued_at = seller = buyer = NULL
        else:
            due = day + timedelta(days=customer.terms_days) if self.kind == "invoice" else NULL
            issued = (
                f"{self.series.id}\t{self.number}\t{self.reference}\t{day}\t{due}\t"
                f"{customer.currency}\t{world.exchange_rates[customer.currency]}"
            )
            issued_at = updated
            seller, buyer = self.company.seller_details, customer.buyer_details
        void_reason = "Issued to the wrong customer" if self.voided_at else ""
        return (
            f"{self.id}\t{self.company.id}\t{customer.id}\t{self.kind}\t{self.status}\t"
            f"{issued}\t{self.po_reference}\t{self.notes}\t\t{optional(self.original_id)}\t"
            f"{net}\t{tax}\t{total}\t{self.paid}\t{self.credited}\t1\t{world.clerk_id}\t"
            f"{created}\t{updated}\t{issued_at}\t{optional(self.sent_at)}\t"
            f"{optional(self.voided_at)}\t{void_reason}\t{seller}\t{buyer}\n"
        )


def pick_fate(rng: random.Random, age_days: int) -> int:
    """What became of an invoice, likelier settled the older it is."""
    thresholds = next(limits for up_to, limits in FATES if up_to is None or age_days <= up_to)
    draw = rng.random()
    return next((fate for fate, limit in enumerate(thresholds) if draw < limit), PAID)


def half_of(document: Document) -> Decimal | None:
    """Half the total in minor units, if that leaves something to pay (not so for 1 JPY)."""
    total = document.totals[2]
    half = round_money(total / 2, document.customer.currency)
    return half if 0 < half < total else None


class CreditDue(NamedTuple):
    """A credit note to issue once the stream reaches its date; it credits the whole original."""

    original: Document
    pool: tuple[int, str]
    templates: list[Template]


class DocumentStream:
    """Invoices with their lines, tax rows, payments and credit notes, in issue-date order."""

    def __init__(self, world: World, invoices: int, rng: random.Random) -> None:
        self.world, self.total, self.rng = world, invoices, rng
        self.pools = {
            (company.id, name): line_pool(world, company, profile.rate_keys, profile.currency, rng)
            for company in world.companies
            for name, profile in PROFILES.items()
        }
        self.pool_ids = {key: number for number, key in enumerate(self.pools)}
        self.rates = world.rate_by_id
        self.minor_units = {currency: minor_unit(currency) for currency in world.exchange_rates}
        # Cumulative weights drawn as random.choices draws plain ones, summed once.
        self.company_weights = list(accumulate(company.weight for company in world.companies))
        self.last_id = dict.fromkeys(COLUMNS, 0)
        self.numbers: dict[int, int] = {}  # series id -> last number taken
        self.pending: list[tuple[date, int, CreditDue]] = []

    def template_rows(self) -> str:
        """Every pool's line templates, as COPY rows of LINE_TEMPLATES."""
        return "".join(
            f"{self.pool_ids[key]}\t{template.index}\t{template.columns}\n"
            for key, pool in self.pools.items()
            for template in pool
        )

    def batches(self, size: int) -> Iterator[Batch]:
        """Every document, size invoices (and the credit notes due meanwhile) at a time."""
        for first in range(0, self.total, size):
            batch = Batch()
            for index in range(first, min(first + size, self.total)):
                self._invoice(batch, index)
            yield batch
        rest = Batch()
        self._release(rest, None)
        yield rest

    def _next_id(self, table: str) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    def _invoice(self, batch: Batch, index: int) -> None:
        rng, world = self.rng, self.world
        offset = index * world.days / self.total
        day = world.start + timedelta(days=int(offset))
        self._release(batch, day)
        company = rng.choices(world.companies, cum_weights=self.company_weights)[0]
        customer = self._customer(company)
        pool = (company.id, customer.profile)
        templates = rng.choices(self.pools[pool], k=rng.randint(1, 19))
        invoice_id = self._next_id("invoices")
        document = Document(
            id=invoice_id,
            company=company,
            customer=customer,
            day=day,
            minute=450 + int(offset % 1 * 600),  # 07:30 to 17:30, rising with the index
            totals=self._lines(batch, invoice_id, pool, templates, customer.currency),
            po_reference=f"PO-{rng.randrange(10**7):07d}" if rng.random() < 0.4 else "",
        )
        fate = pick_fate(rng, (world.end - day).days)
        self._settle(batch, document, fate, CreditDue(document, pool, templates))
        batch.rows["invoices"].append(document.to_row(world))
        batch.invoice_count += 1

    def _customer(self, company: CompanyRef) -> CustomerRef:
        """A customer of the company; low ids buy more often, as regulars do."""
        ids = self.world.customer_ranges[company.id]
        return self.world.customers[ids[int(len(ids) * self.rng.random() ** 2)] - 1]

    def _lines(
        self,
        batch: Batch,
        invoice_id: int,
        pool: tuple[int, str],
        templates: list[Template],
        currency: str,
    ):
        """Write a document's line choices and tax rows; return its net, tax and total."""
        first = self.last_id["invoice_lines"]  # its lines are first + 1, first + 2, ...
        self.last_id["invoice_lines"] = first + len(templates)
        chosen = ",".join([str(template.index) for template in templates])
        batch.rows[LINE_CHOICES].append(
            f"{invoice_id}\t{self.pool_ids[pool]}\t{first}\t{{{chosen}}}\n"
        )
        head = f"\t{invoice_id}\t"
        taxable: dict[int, Decimal] = {}
        for rate_id, net, _columns, _index in templates:
            taxable[rate_id] = taxable[rate_id] + net if rate_id in taxable else net
        net = tax = ZERO
        for rate_id, amount in taxable.items():
            rate = self.rates[rate_id]
            # round_money's rounding, with the currency's minor unit looked up once per stream
            rate_tax = (amount * rate.percentage / HUNDRED).quantize(
                self.minor_units[currency], rounding=ROUND_HALF_UP
            )
            batch.rows["invoice_tax_totals"].append(
                f"{self._next_id('invoice_tax_totals')}{head}{rate_id}\t"
                f"{rate.columns}\t{amount}\t{rate_tax}\n"
            )
            net, tax = net + amount, tax + rate_tax
        return net, tax, net + tax

    def _number(self, document: Document, series: SeriesRef) -> None:
        self.numbers[series.id] = number = self.numbers.get(series.id, 0) + 1
        document.series, document.number = series, number
        document.reference = format_reference(series.prefix, series.padding, number, document.day)

    def _later(self, day: date, fewest: int, most: int) -> date:
        return min(self.world.end, day + timedelta(days=self.rng.randint(fewest, most)))

    def _settle(self, batch: Batch, document: Document, fate: int, credit: "CreditDue") -> None:
        """Issue the invoice unless it stays a draft, and give it its fate."""
        if fate == DRAFT:
            return
        self._number(document, document.company.invoices)
        if fate == VOID:
            document.status = "void"
            document.voided_at = stamp(self._later(document.day, 0, 3), 900)
            return
        document.status = "issued"
        if self.rng.random() < (0.75 if fate == OPEN else 0.9):
            document.status, document.sent_at = "sent", stamp(document.day, document.minute + 5)
        total = document.totals[2]
        if fate == CREDITED:
            document.status, document.credited = "paid", total
            heapq.heappush(self.pending, (self._later(document.day, 1, 30), document.id, credit))
        elif fate == PAID:
            self._pay_in_full(batch, document)
        elif fate == PARTIAL and (half := half_of(document)):
            self._pay(batch, document, half, self._later(document.day, 3, 30))
            document.status = "partially_paid"

    def _pay_in_full(self, batch: Batch, document: Document) -> None:
        """One payment, or now and then a part payment and the rest later."""
        paid_on = self._later(document.day, 3, 40)
        if self.rng.random() < 0.15 and (half := half_of(document)):
            self._pay(batch, document, half, paid_on)
            paid_on = self._later(paid_on, 1, 20)
        self._pay(batch, document, document.totals[2] - document.paid, paid_on)
        document.status = "paid"

    def _pay(self, batch: Batch, document: Document, amount: Decimal, day: date) -> None:
        payment_id = self._next_id("payments")
        source = self.rng.choices(SOURCES, cum_weights=SOURCE_WEIGHTS)[0]
        key = f"gateway-{payment_id}" if source == "gateway" else NULL
        clerk = self.world.clerk_id if source == "manual" else NULL
        batch.rows["payments"].append(
            f"{payment_id}\t{document.id}\t{document.company.id}\t{day}\t{amount}\t"
            f"{self.rng.choice(METHODS)}\t"
            f"{document.reference}\t{source}\t\t{key}\t{clerk}\t{stamp(day, 600)}\n"
        )
        document.paid += amount

    def _release(self, batch: Batch, day: date | None) -> None:
        """Issue the credit notes due by day (all that are left when day is None)."""
        while self.pending and (day is None or self.pending[0][0] <= day):
            note_day, _, (original, pool, templates) = heapq.heappop(self.pending)
            note_id = self._next_id("invoices")
            note = Document(
                id=note_id,
                company=original.company,
                customer=original.customer,
                day=note_day,
                minute=720,
                totals=self._lines(batch, note_id, pool, templates, original.customer.currency),
                po_reference=original.po_reference,
                kind="credit_note",
                status="sent" if self.rng.random() < 0.7 else "issued",
                original_id=original.id,
                notes=f"Credit note for {original.reference}",
            )
            self._number(note, original.company.credit_notes)
            note.sent_at = stamp(note_day, 725) if note.status == "sent" else None
            batch.rows["invoices"].append(note.to_row(self.world))

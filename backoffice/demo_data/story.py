"""The planned story told through the services: drafts written, issued in date order (so the
numbers follow the dates), emailed or posted, paid, credited, refunded or voided."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from models import Customer, EmailMessage, Invoice, InvoiceLine, Product, TaxRate, User

from ..services.invoicing import approvals, drafts, lifecycle, status
from ..services.money import round_money
from ..services.payments import customer_credit, ledger
from . import deliveries
from .plans import Act, Plan, Step

# Base-currency (EUR) value of one unit of each invoice currency, fixed at issue.
EXCHANGE_RATES = {
    "EUR": Decimal("1"),
    "USD": Decimal("0.92"),
    "GBP": Decimal("1.17"),
    "CHF": Decimal("1.05"),
    "JPY": Decimal("0.0061"),
}
MONTHLY = ("SUP-M", "HOST-M")  # what a support plan bills on the first of the month
REFERENCES = {
    "bank_transfer": "Transfer {reference}",
    "card": "Card payment {reference}",
    "direct_debit": "Direct debit {reference}",
    "cash": "Cash, receipt for {reference}",
}


@dataclass
class World:
    """What the story is told with: the acting staff, the records made so far, the clock."""

    session: Session
    finance: User
    manager: User  # approves credit notes above a company's threshold
    drafters: dict[int, User]  # by company id: who is writing its drafts today
    customers: dict[str, Customer]  # by name
    products: dict[int, list[Product]]  # by company id
    rates: dict[int | str, TaxRate]
    today: date
    rng: random.Random
    messages: list[EmailMessage] = field(default_factory=list)
    exchange: dict[tuple[str, int, int], Decimal] = field(default_factory=dict)


def tell(world: World, plans: list[Plan]) -> None:
    """Write every planned invoice and what happens to it, day by day."""
    invoices: dict[int, Invoice] = {}
    steps = sorted(
        (
            (step.day, step.act, index, step)
            for index, plan in enumerate(plans)
            for step in plan.steps
        ),
        key=lambda entry: entry[:3],
    )
    for _day, act, index, step in steps:
        if act == Act.ISSUE:
            invoices[index] = _write(world, plans[index], world.finance)
            lifecycle.issue(world.session, world.finance, invoices[index], world.today)
        else:
            ACTS[act](world, plans[index], invoices[index], step)
    for plan in plans:
        if plan.draft:
            customer = world.customers[plan.customer.name]
            _write(world, plan, world.drafters[customer.company_id])
    deliveries.forget_delivery_jobs(world.session, world.messages)


def _write(world: World, plan: Plan, actor: User) -> Invoice:
    """A draft with its lines, as the invoice form saves one."""
    customer = world.customers[plan.customer.name]
    po = world.rng.random() < 0.3 and plan.customer.weight >= 3
    invoice = drafts.create_draft(
        world.session,
        actor,
        customer,
        issue_date=plan.issue_date,
        exchange_rate=_exchange_rate(world, customer.currency, plan.issue_date or world.today),
        po_reference=f"PO-{world.rng.randrange(4500000000, 4600000000)}" if po else "",
    )
    invoice.lines = _lines(world, plan, customer, invoice.currency)
    drafts.prepare_draft(world.session, actor, invoice, is_created=False)
    return invoice


def _exchange_rate(world: World, currency: str, day: date) -> Decimal:
    """The month's rate: the nominal one moved by up to 3 %, as markets do."""
    key = (currency, day.year, day.month)
    if key not in world.exchange:
        drift = 1 + Decimal(world.rng.randint(-30, 30)) / 1000
        world.exchange[key] = (EXCHANGE_RATES[currency] * drift).quantize(Decimal("1e-8"))
    return world.exchange[key]


def _lines(world: World, plan: Plan, customer: Customer, currency: str) -> list[InvoiceLine]:
    catalogue = world.products[customer.company_id]
    if plan.retainer:
        chosen = [product for product in catalogue if product.code in MONTHLY]
    else:
        count = world.rng.choice([1, 1, 2, 2, 3, 4])
        chosen = world.rng.sample([p for p in catalogue if p.code not in MONTHLY], count)
    return [
        InvoiceLine(
            position=position,
            product=product,
            description=product.name,
            unit=product.unit,
            quantity=Decimal(1) if plan.retainer else _quantity(product, world.rng),
            unit_price=round_money(product.unit_price / EXCHANGE_RATES[currency], currency),
            discount_percent=Decimal(world.rng.choice([0, 0, 0, 0, 0, 5, 10])),
            tax_rate=_rate(world, customer, product),
        )
        for position, product in enumerate(chosen, start=1)
    ]


def _quantity(product: Product, rng: random.Random) -> Decimal:
    low, high = {"hour": (2, 40), "day": (1, 10), "seat": (5, 60), "kg": (5, 30)}.get(
        product.unit, (5, 40) if product.unit_price < 100 else (1, 3)
    )
    return Decimal(rng.randint(low, high))


def _rate(world: World, customer: Customer, product: Product) -> TaxRate:
    """Taxed at home; abroad, reverse charge for EU businesses and an export elsewhere."""
    if customer.country == customer.company.country:
        return product.default_tax_rate
    return world.rates[0] if customer.vat_id else world.rates["export"]


def _email(world: World, plan: Plan, invoice: Invoice, step: Step) -> None:
    world.messages.append(deliveries.send(world.session, world.finance, invoice, step.value))


def _post(world: World, plan: Plan, invoice: Invoice, step: Step) -> None:
    lifecycle.mark_sent(world.session, world.finance, invoice)


def _void(world: World, plan: Plan, invoice: Invoice, step: Step) -> None:
    lifecycle.void(world.session, world.finance, invoice, step.value)


def _credit(world: World, plan: Plan, invoice: Invoice, step: Step) -> None:
    """Credit what is left, or a share of the first line's price as a goodwill reduction."""
    if not status.can_be_credited(invoice):
        return
    reason = "Order cancelled" if step.value is None else "Goodwill for a late delivery"
    note = lifecycle.create_credit_note(
        world.session, world.finance, invoice, notes=f"{reason} ({invoice.reference})"
    )
    note.issue_date = step.day
    if step.value is not None:
        first = note.lines[0]
        first.unit_price = round_money(first.unit_price * step.value, note.currency)
        first.description = f"{reason}: {first.description}"
        note.lines = [first]
    drafts.prepare_draft(world.session, world.finance, note, is_created=False)
    if approvals.needs_approval(note):
        approvals.approve(world.session, world.manager, note)
    lifecycle.issue(world.session, world.finance, note, world.today)


def _pay(world: World, plan: Plan, invoice: Invoice, step: Step) -> None:
    """Pay a share of what is still open, the customer's usual way."""
    if not status.takes_payments(invoice) or invoice.balance_amount <= 0:
        return
    amount = round_money(invoice.balance_amount * step.value, invoice.currency)
    method = plan.customer.method.value
    ledger.record_payment(
        world.session,
        world.finance,
        invoice,
        amount,
        step.day,
        method=method,
        reference=REFERENCES[method].format(reference=invoice.reference),
    )


def _refund(world: World, plan: Plan, invoice: Invoice, step: Step) -> None:
    """Pay back what was paid beyond what the credit notes left to pay: the credit note
    kept it as the customer's credit."""
    owed = customer_credit.balance(world.session, invoice.customer_id, invoice.currency)
    if owed > 0:
        customer_credit.refund_credit(
            world.session,
            world.finance,
            invoice.customer,
            invoice.currency,
            owed,
            step.day,
            reference=f"Refund for {invoice.reference}",
        )


ACTS: dict[Act, Callable[[World, Plan, Invoice, Step], None]] = {
    Act.EMAIL: _email,
    Act.POST: _post,
    Act.VOID: _void,
    Act.CREDIT: _credit,
    Act.PAY: _pay,
    Act.REFUND: _refund,
}

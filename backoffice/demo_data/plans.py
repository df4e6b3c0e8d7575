"""The demo's story, planned before anything is written: which invoice is issued on which day,
and what happens to it afterwards (delivery, payments, credit notes, a void).

Pure functions of a seeded random generator, so the story is the same on every install.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum

from .directory import DemoCustomer, Habit

HISTORY_DAYS = 425  # about 14 months: a full 12-month chart and last year's same month
OUTAGE_DAYS = 2  # the mail server has refused connections since the day before yesterday
BOUNCING_DAYS = 75  # one customer's mailbox stopped existing this long ago
BOUNCING_CUSTOMER = "Weingut Albrecht"
VOID_REASONS = (
    "Issued to the wrong customer",
    "Duplicate of an invoice already sent",
    "Order cancelled before delivery",
)


class Act(IntEnum):
    """What happens to an invoice; on one day, in this order."""

    ISSUE = 0
    EMAIL = 1
    POST = 2  # sent by letter, marked sent by hand
    VOID = 3
    CREDIT = 4
    PAY = 5
    REFUND = 6


class Delivery(StrEnum):
    """How an invoice email ends: the attempts that failed, and whether one got through."""

    DELIVERED = "delivered"
    RETRIED = "retried"  # the first attempt met a mail server that was down
    BOUNCED = "bounced"  # the recipient's server refused the address, every retry
    OUTAGE = "outage"  # our mail server refused the connection, every retry


@dataclass(frozen=True)
class Step:
    day: date
    act: Act
    # EMAIL: a Delivery; VOID: the reason; PAY: the share of the balance paid (1 = all of
    # it); CREDIT: None for all that is left, else the share of the first line's price.
    value: object = None


@dataclass
class Plan:
    customer: DemoCustomer
    issue_date: date | None
    retainer: bool = False
    draft: bool = False
    steps: list[Step] = field(default_factory=list)


def plan_invoices(
    customers: list[DemoCustomer], today: date, count: int, rng: random.Random
) -> list[Plan]:
    """About count invoices over the last 14 months: each customer's, the monthly support
    plans, the rest weighted by customer size, and a few drafts being written today."""
    drafts = [_draft(rng.choice(customers), today, rng) for _ in range(max(2, count // 40))]
    first = [Plan(customer, _issue_day(today, rng, _window(customer))) for customer in customers]
    # Something is always issued on the last working day, when the mail server is down.
    first.append(Plan(rng.choice(customers), _last_working_day(today)))
    retainers = _retainers(customers, today, max(0, count - len(drafts) - len(first)))
    weights = [customer.weight for customer in customers]
    extra = count - len(drafts) - len(first) - len(retainers)
    more = [
        Plan(customer, _issue_day(today, rng))
        for customer in rng.choices(customers, weights, k=max(0, extra))
    ]
    issued = sorted([*first, *retainers, *more], key=lambda plan: plan.issue_date)
    for plan in issued:
        plan.steps = _fate(plan, today, rng)
    return [*issued, *drafts]


def _draft(customer: DemoCustomer, today: date, rng: random.Random) -> Plan:
    # Some drafts have no date yet: issuing dates them today.
    day = today - timedelta(days=rng.randint(0, 9)) if rng.random() < 0.6 else None
    return Plan(customer, day, draft=True)


def _window(customer: DemoCustomer) -> int:
    # The bouncing customer's own invoice falls after their mailbox went, so it bounces.
    return BOUNCING_DAYS if customer.name == BOUNCING_CUSTOMER else HISTORY_DAYS


def _issue_day(today: date, rng: random.Random, window: int = HISTORY_DAYS) -> date:
    """A working day, more of them recently (the business grows), fewer in August and over
    Christmas."""
    while True:
        age = rng.randrange(window)
        day = today - timedelta(days=age)
        weight = 1 - 0.5 * age / HISTORY_DAYS
        if day.month == 8 or (day.month == 12 and day.day > 20):
            weight *= 0.5
        if day.weekday() < 5 and rng.random() < weight:
            return day


def _retainers(customers: list[DemoCustomer], today: date, room: int) -> list[Plan]:
    """The support plans billed on each month's first working day, the latest months first
    when there is room for only some."""
    months = []
    month = today.replace(day=1)
    while (today - month).days < HISTORY_DAYS:
        if _working_day(month) <= today:
            months.append(_working_day(month))
        month = (month - timedelta(days=1)).replace(day=1)
    on_plan = [customer for customer in customers if customer.retainer]
    plans = [Plan(customer, day, retainer=True) for day in months for customer in on_plan]
    return plans[:room]


def _last_working_day(today: date) -> date:
    """Today, or the Friday before it on a weekend."""
    return today - timedelta(days=max(0, today.weekday() - 4))


def _working_day(day: date) -> date:
    """The day, or the Monday after it if it falls on a weekend."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def _fate(plan: Plan, today: date, rng: random.Random) -> list[Step]:
    """What happens to one issued invoice, up to today."""
    issued = plan.issue_date
    steps = [Step(issued, Act.ISSUE)]
    delivery = _delivery(plan, today, rng)
    if delivery is None:
        return steps
    if delivery.value in (Delivery.BOUNCED, Delivery.OUTAGE):
        return [*steps, delivery]  # the customer never got it, so nothing is paid yet
    if rng.random() < 0.02 and (today - issued).days > 3:  # caught before it went out
        voided = min(today, issued + timedelta(days=rng.randint(0, 2)))
        return [*steps, Step(voided, Act.VOID, rng.choice(VOID_REASONS))]
    steps.append(delivery)
    # Now and then an invoice is simply forgotten.
    payments = _payments(plan.customer, issued, today, rng) if rng.random() > 0.06 else []
    steps += payments + _credit(issued, payments, rng)
    return [step for step in steps if step.day <= today]


def _delivery(plan: Plan, today: date, rng: random.Random) -> Step | None:
    """How the invoice reaches the customer; None: it has not been sent yet."""
    issued, customer = plan.issue_date, plan.customer
    age = (today - issued).days
    if age <= OUTAGE_DAYS:
        return Step(issued, Act.EMAIL, Delivery.OUTAGE)
    if customer.name == BOUNCING_CUSTOMER and age <= BOUNCING_DAYS:
        return Step(issued, Act.EMAIL, Delivery.BOUNCED)
    chance = rng.random()
    if chance < 0.04 and age <= 5:
        return None
    if chance < 0.12:
        return Step(issued + timedelta(days=1), Act.POST)
    if chance < 0.18:
        return Step(issued, Act.EMAIL, Delivery.RETRIED)
    return Step(issued, Act.EMAIL, Delivery.DELIVERED)


def _credit(issued: date, payments: list[Step], rng: random.Random) -> list[Step]:
    """A few invoices are credited: in full (an order cancelled) or in part (goodwill for a
    late delivery), before they are paid, or after (goods sent back), when what was paid
    beyond what is left is refunded a few days later."""
    chance = rng.random()
    if chance >= 0.05:
        return []
    share = None if chance < 0.02 else Decimal(rng.choice(["0.1", "0.2", "0.25"]))
    if payments and rng.random() < 0.5:
        credited = payments[-1].day + timedelta(days=rng.randint(5, 40))
        refunded = credited + timedelta(days=rng.randint(3, 10))
        return [Step(credited, Act.CREDIT, share), Step(refunded, Act.REFUND)]
    # Before the first payment, which then pays only what the credit note left.
    before = (payments[0].day - issued).days - 1 if payments else 30
    return [Step(issued + timedelta(days=rng.randint(min(4, before), before)), Act.CREDIT, share)]


def _payments(customer: DemoCustomer, issued: date, today: date, rng: random.Random) -> list[Step]:
    due = issued + timedelta(days=customer.terms_days)
    if customer.habit == Habit.PROMPT:
        return [Step(issued + timedelta(days=rng.randint(2, customer.terms_days - 3)), Act.PAY, 1)]
    # Some late payers pay what they can first, as instalment payers always do.
    if customer.habit == Habit.INSTALMENTS or (customer.habit == Habit.LATE and rng.random() < 0.3):
        part = Decimal(rng.choice(["0.3", "0.4", "0.5"]))
        return [
            Step(due - timedelta(days=rng.randint(0, 5)), Act.PAY, part),
            Step(due + timedelta(days=rng.randint(30, 120)), Act.PAY, 1),
        ]
    if customer.habit == Habit.LATE:
        return [Step(due + timedelta(days=rng.randint(3, 50)), Act.PAY, 1)]
    if (today - issued).days > 150:  # stalled: paid, late, until about five months ago
        return [Step(due + timedelta(days=rng.randint(5, 30)), Act.PAY, 1)]
    return []

"""Demo data for a fresh install: one company, a user per role, customers, products, invoices."""

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from models import Company, Customer, Invoice, NumberingSeries, Product, TaxRate, User

from .services import users
from .services.invoicing import drafts, lifecycle
from .services.invoicing.drafts import LineInput
from .services.money import round_money
from .services.payments import ledger

COMPANY_NAME = "Nordlicht Software GmbH"
DEMO_USERS = {
    "admin": ("admin@example.com", "admin-demo-2026"),
    "finance": ("finance@example.com", "finance-demo-2026"),
    "support": ("support@example.com", "support-demo-2026"),
    "manager": ("manager@example.com", "manager-demo-2026"),
}
# Base-currency (EUR) value of one unit of each invoice currency, fixed at issue.
EXCHANGE_RATES = {
    "EUR": Decimal("1"),
    "USD": Decimal("0.92"),
    "GBP": Decimal("1.17"),
    "CHF": Decimal("1.05"),
    "JPY": Decimal("0.0061"),
}
# Valid (by checksum) VAT ids for the customers in the EU: reverse charge needs the buyer's.
VAT_IDS = {"PL": "PL7251234561", "GR": "EL094512343", "FR": "FR40552100794"}
CUSTOMERS = [
    ("Müller & Söhne AG", "Bahnhofstrasse 12", "8001", "Zürich", "CH", "CHF", "de"),
    ("Łódź Logistyka Sp. z o.o.", "ul. Piotrkowska 104", "90-001", "Łódź", "PL", "EUR", "en"),
    ("Ελληνικά Τρόφιμα Α.Ε.", "Οδός Ερμού 25", "105 63", "Αθήνα, Ελλάδα", "GR", "EUR", "en"),
    ("ООО Северный Ветер", "ул. Тверская 7", "125009", "Москва", "RU", "EUR", "en"),
    ("Brasserie Lumière SARL", "12 rue de Rivoli", "75001", "Paris", "FR", "EUR", "fr"),
    ("Kyoto Precision K.K.", "1-2-3 Karasuma", "600-8001", "Kyoto", "JP", "JPY", "en"),
    ("Harbour & Finch Ltd", "4 Wharf Road", "N1 7GR", "London", "GB", "GBP", "en"),
    ("Pioneer Robotics Inc.", "500 Market Street", "94105", "San Francisco", "US", "USD", "en"),
]
PRODUCTS = [
    ("CONS-H", "Consulting hour", "hour", "120.00", 19),
    ("DEV-D", "Development day", "day", "880.00", 19),
    ("SUP-M", "Support plan, monthly", "month", "249.00", 19),
    ("TRAIN", "On-site training", "day", "1150.00", 19),
    ("BOOK", "Handbook (print)", "piece", "39.90", 7),
    ("EBOOK", "Handbook (e-book)", "piece", "24.90", 7),
]


def _reference_data(session: Session) -> tuple[Company, dict[int | str, TaxRate]]:
    company = Company(
        name=COMPANY_NAME,
        address="Friedrichstraße 68\n10117 Berlin\nGermany",
        country="DE",
        tax_id="DE136695976",
        registration_id="HRB 123456 B",
        base_currency="EUR",
        email="billing@nordlicht.example",
        bank_name="Berliner Volksbank",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        default_payment_terms_days=30,
    )
    session.add(company)
    session.add_all(
        [
            NumberingSeries(company=company, code="INV", kind="invoice", prefix="INV-"),
            NumberingSeries(company=company, code="CN", kind="credit_note", prefix="CN-"),
        ]
    )
    rates = tax_rates()
    session.add_all(rates.values())
    session.flush()
    return company, rates


def tax_rates() -> dict[int | str, TaxRate]:
    """Germany's two rates, and the 0 % ones for business abroad, by percentage or name."""
    return {
        19: TaxRate(name="Standard", percentage=Decimal("19"), category="S", country="DE"),
        7: TaxRate(name="Reduced", percentage=Decimal("7"), category="S", country="DE"),
        0: TaxRate(
            name="Reverse charge",
            percentage=Decimal("0"),
            category="AE",
            exemption_code="VATEX-EU-AE",
            exemption_reason="Reverse charge",
            country="DE",
        ),
        "export": TaxRate(
            name="Export outside the EU",
            percentage=Decimal("0"),
            category="G",
            exemption_code="VATEX-EU-G",
            exemption_reason="Export outside the EU",
            country="DE",
        ),
    }


def _customers(session: Session, company: Company, rng: random.Random) -> list[Customer]:
    customers = []
    for i in range(50):
        name, street, postcode, city, country, currency, language = CUSTOMERS[i % len(CUSTOMERS)]
        if i >= len(CUSTOMERS):
            name = f"{name} ({i // len(CUSTOMERS) + 1})"
            currency = rng.choice(["EUR", "EUR", "EUR", currency])
        customers.append(
            Customer(
                company=company,
                name=name,
                address=street,
                postal_code=postcode,
                city=city,
                country=country,
                vat_id=VAT_IDS.get(country),
                currency=currency,
                language=language,
                email=f"accounts{i}@customer.example",
                payment_terms_days=rng.choice([14, 30, 30, 45]),
            )
        )
    session.add_all(customers)
    session.flush()
    return customers


def _products(session: Session, company: Company, rates: dict[int | str, TaxRate]) -> list[Product]:
    products = []
    for i in range(20):
        code, name, unit, price, rate = PRODUCTS[i % len(PRODUCTS)]
        suffix = f"-{i // len(PRODUCTS) + 1}" if i >= len(PRODUCTS) else ""
        products.append(
            Product(
                company=company,
                code=code + suffix,
                name=name + (f" (tier {suffix[1:]})" if suffix else ""),
                unit=unit,
                unit_price=Decimal(price) * (1 + Decimal(i // len(PRODUCTS)) / 10),
                default_tax_rate=rates[rate],
            )
        )
    session.add_all(products)
    session.flush()
    return products


def seed(session: Session, today: date | None = None, invoice_count: int = 300) -> None:
    """Create the demo data set (deterministic: the same every time)."""
    today = today or date.today()
    rng = random.Random(2026)
    company, rates = _reference_data(session)
    staff = {
        role: users.create_user(
            session, email, role, password, name=role.title(), companies=[company]
        )
        for role, (email, password) in DEMO_USERS.items()
    }
    actor: User = staff["admin"]
    customers = _customers(session, company, rng)
    products = _products(session, company, rates)
    # Issued in date order so numbers rise with issue dates, as they would in real use.
    plans = sorted(
        (
            (today - timedelta(days=rng.randint(0, 365)), rng.choice(customers))
            for _ in range(invoice_count)
        ),
        key=lambda plan: plan[0],
    )
    for issue_date, customer in plans:
        draft = drafts.create_draft(
            session,
            actor,
            customer,
            issue_date=issue_date,
            exchange_rate=EXCHANGE_RATES[customer.currency],
        )
        for _ in range(rng.randint(1, 6)):
            drafts.add_line(session, actor, draft, _random_line(draft, products, rates, rng))
        _advance(session, actor, draft, rng, today)


def _random_line(
    draft: Invoice, products: list[Product], rates: dict[int | str, TaxRate], rng: random.Random
) -> LineInput:
    """One of the company's products; abroad, now and then one taxed where it is used: reverse
    charge for EU businesses, an export elsewhere."""
    product = rng.choice(products)
    abroad = draft.customer.country != "DE" and rng.random() < 0.3
    rate = product.default_tax_rate
    if abroad:
        rate = rates[0] if draft.customer.country in VAT_IDS else rates["export"]
    price = product.unit_price / EXCHANGE_RATES[draft.currency]
    return LineInput(
        description=product.name,
        quantity=str(rng.choice([1, 1, 2, 3, 5, 10, Decimal("2.5")])),
        unit_price=round_money(price, draft.currency),
        tax_rate_id=rate.id,
        product_id=product.id,
        unit=product.unit,
        discount_percent=rng.choice(["0", "0", "0", "5", "10"]),
    )


def _advance(session: Session, actor: User, invoice, rng: random.Random, today: date) -> None:
    """Move a fresh draft to a random point of its lifecycle."""
    fate = rng.random()
    if fate < 0.1 or invoice.issue_date > today - timedelta(days=2):
        return
    lifecycle.issue(session, actor, invoice, today)
    if fate < 0.15:
        lifecycle.void(session, actor, invoice, "Issued to the wrong customer")
        return
    if 0.2 <= fate < 0.75:
        lifecycle.mark_sent(session, actor, invoice)
    if fate < 0.3:
        return
    paid_on = min(today, invoice.issue_date + timedelta(days=rng.randint(3, 40)))
    if fate < 0.45:
        half = round_money(invoice.total_amount / 2, invoice.currency)
        ledger.record_payment(session, actor, invoice, half, paid_on, reference="Part payment")
    elif fate < 0.92:
        ledger.record_payment(
            session, actor, invoice, invoice.balance_amount, paid_on, reference="Bank transfer"
        )
    else:
        note = lifecycle.create_credit_note(session, actor, invoice)
        lifecycle.issue(session, actor, note, today)

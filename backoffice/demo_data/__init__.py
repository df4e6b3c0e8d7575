"""Demo data for a fresh install: two companies, a user per role, their customers and products,
and 14 months of invoicing told through the services, so the lists, the dashboard and the
reports have a story to show (growth, late payers, credit notes, emails that bounced)."""

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Company, Customer, NumberingSeries, Product, TaxRate, User

from ..services import users
from . import directory, plans, story
from .directory import PRODUCTS, DemoCompany
from .story import EXCHANGE_RATES

__all__ = ["COMPANY_NAME", "DEMO_USERS", "EXCHANGE_RATES", "PRODUCTS", "seed", "tax_rates"]

COMPANY_NAME = directory.COMPANIES[0].name
# Who the demo logins are; support serves the first company only, the others see both.
DEMO_USERS = {
    "admin": ("admin@example.com", "admin-demo-2026"),
    "finance": ("finance@example.com", "finance-demo-2026"),
    "support": ("support@example.com", "support-demo-2026"),
    "manager": ("manager@example.com", "manager-demo-2026"),
}
STAFF_NAMES = {
    "admin": "Katrin Schulz",
    "finance": "Deniz Aydın",
    "support": "Lea Hoffmann",
    "manager": "Markus Brandt",
}


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


def seed(session: Session, today: date | None = None, invoice_count: int = 300) -> bool:
    """Create the demo data set once (deterministic: the same every time); False when the
    demo company is there already and nothing was written."""
    if session.scalar(select(Company.id).where(Company.name == COMPANY_NAME)) is not None:
        return False
    today = today or date.today()
    rates = tax_rates()
    session.add_all(rates.values())
    companies = [_company(session, demo, rates) for demo in directory.COMPANIES]
    staff = _staff(session, companies)
    customers = [customer for demo in directory.COMPANIES for customer in demo.customers]
    world = story.World(
        session=session,
        finance=staff["finance"],
        manager=staff["manager"],
        drafters={
            company.id: staff["support" if company in staff["support"].companies else "finance"]
            for company, _ in companies
        },
        customers={c.name: c for company, _ in companies for c in _customers(session, company)},
        products={company.id: products for company, products in companies},
        rates=rates,
        today=today,
        rng=random.Random(2026),
    )
    story.tell(world, plans.plan_invoices(customers, today, invoice_count, random.Random(14)))
    return True


def _company(
    session: Session, demo: DemoCompany, rates: dict[int | str, TaxRate]
) -> tuple[Company, list[Product]]:
    company = Company(name=demo.name, country="DE", base_currency="EUR", **demo.fields)
    session.add_all(
        [
            company,
            NumberingSeries(company=company, code="INV", kind="invoice", prefix="INV-"),
            NumberingSeries(company=company, code="CN", kind="credit_note", prefix="CN-"),
        ]
    )
    products = [
        Product(
            company=company,
            code=code,
            name=name,
            unit=unit,
            unit_price=Decimal(price),
            default_tax_rate=rates[rate],
        )
        for code, name, unit, price, rate in demo.products
    ]
    session.add_all(products)
    session.flush()
    return company, products


def _staff(session: Session, companies: list[tuple[Company, list[Product]]]) -> dict[str, User]:
    everywhere = [company for company, _ in companies]
    return {
        role: users.create_user(
            session,
            email,
            role,
            password,
            name=STAFF_NAMES[role],
            companies=everywhere[:1] if role == "support" else everywhere,
        )
        for role, (email, password) in DEMO_USERS.items()
    }


def _customers(session: Session, company: Company) -> list[Customer]:
    demo = next(demo for demo in directory.COMPANIES if demo.name == company.name)
    customers = [
        Customer(
            company=company,
            name=c.name,
            address=c.street,
            postal_code=c.postcode,
            city=c.city,
            country=c.country,
            vat_id=c.vat_id,
            currency=c.currency,
            language=c.language,
            email=c.email,
            payment_terms_days=c.terms_days,
        )
        for c in demo.customers
    ]
    session.add_all(customers)
    session.flush()
    return customers

"""The large database's reference data, made with the ORM: companies, rates, products, staff."""

import json
import random
from datetime import date
from decimal import Decimal

from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from backoffice import demo_data
from backoffice.services import audit, users
from backoffice.services.invoicing.lifecycle import SELLER_FIELDS
from bench.seed_large_customers import copy_text, customer_rows, vat_id
from bench.seed_large_rows import CompanyRef, ProductRef, RateRef, SeriesRef, World
from models import Company, NumberingSeries, Product, TaxRate

DAYS = 3 * 365
# Nordlicht is the demo company the demo logins see; Südwind keeps lists honest about scope.
COMPANIES = (
    (
        9,
        {
            "name": demo_data.COMPANY_NAME,
            "address": "Friedrichstraße 68\n10117 Berlin\nGermany",
            "tax_id": "DE136695976",
            "registration_id": "HRB 123456 B",
            "email": "billing@nordlicht.example",
            "iban": "DE89370400440532013000",
        },
    ),
    (
        1,
        {
            "name": "Südwind Handel AG",
            "address": "Leopoldstraße 20\n80802 München\nGermany",
            "registration_id": "HRB 654321",
            "email": "rechnung@suedwind.example",
            "iban": "DE02120300000000202051",
        },
    ),
)
METERED = ("CLOUD-GBH", "Cloud storage, GB-hour", "GB-h", "0.0125", 19)
PRODUCT_TIERS = 30  # of demo_data.PRODUCTS and the metered one: 210 products per company
# Base-currency (EUR) value of one unit: the demo's rates, and a 3-decimal currency.
EXCHANGE_RATES = demo_data.EXCHANGE_RATES | {"BHD": Decimal("2.44")}


def _company(session: Session, fields: dict, rng: random.Random) -> Company:
    company = Company(
        country="DE", base_currency="EUR", bank_name="Berliner Volksbank", bic="COBADEFFXXX"
    )
    for name, value in ({"tax_id": vat_id("DE", rng)} | fields).items():
        setattr(company, name, value)
    session.add(company)
    return company


def _series(session: Session, company: Company) -> tuple[NumberingSeries, NumberingSeries]:
    series = (
        NumberingSeries(company=company, code="INV", kind="invoice", prefix="INV-"),
        NumberingSeries(company=company, code="CN", kind="credit_note", prefix="CN-"),
    )
    session.add_all(series)
    return series


def _products(session: Session, company: Company, rates: dict) -> list[Product]:
    products = [
        Product(
            company=company,
            code=f"{code}-{tier:02d}",
            name=f"{name} (tier {tier})" if tier else name,
            unit=unit,
            unit_price=Decimal(price) * (1 + Decimal(tier) / 10),
            default_tax_rate=rates[rate],
        )
        for tier in range(PRODUCT_TIERS)
        for code, name, unit, price, rate in (*demo_data.PRODUCTS, METERED)
    ]
    session.add_all(products)
    return products


def _rate_ref(rate: TaxRate) -> RateRef:
    code = rate.exemption_code or "\\N"
    columns = f"{rate.percentage}\t{rate.category}\t{code}\t{copy_text(rate.exemption_reason)}"
    return RateRef(rate.id, rate.percentage, columns)


def _company_ref(weight: int, company: Company, series: tuple, products: list) -> CompanyRef:
    seller = {name: getattr(company, name) for name in SELLER_FIELDS}
    return CompanyRef(
        id=company.id,
        weight=weight,
        invoices=SeriesRef(series[0].id, series[0].prefix, series[0].padding),
        credit_notes=SeriesRef(series[1].id, series[1].prefix, series[1].padding),
        seller_details=copy_text(json.dumps(seller)),
        products=tuple(
            ProductRef(p.id, p.name, p.unit, p.unit_price, _rate_key(p)) for p in products
        ),
    )


def _rate_key(product: Product) -> int:
    return int(product.default_tax_rate.percentage)


def create_reference(url: URL, end: date, rng: random.Random) -> World:
    """Companies, series, tax rates, products and the demo logins, committed."""
    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        rates = demo_data.tax_rates()
        session.add_all(rates.values())
        made = []
        for weight, fields in COMPANIES:
            company = _company(session, fields, rng)
            made.append(
                (weight, company, _series(session, company), _products(session, company, rates))
            )
        staff = {
            role: users.create_user(
                session, email, role, password, name=role.title(), companies=[made[0][1]]
            )
            for role, (email, password) in demo_data.DEMO_USERS.items()
        }
        audit.record(session, "seed.large", detail="bulk-loaded by bench/seed_large.py")
        session.commit()
    engine.dispose()
    return World(
        companies=[_company_ref(*entry) for entry in made],
        rates={key: _rate_ref(rate) for key, rate in rates.items()},
        exchange_rates=EXCHANGE_RATES,
        clerk_id=staff["finance"].id,
        end=end,
        days=DAYS,
    )


def add_customers(world: World, count: int, rng: random.Random) -> list[str]:
    """count customers shared out by company weight; return them as COPY rows."""
    total_weight = sum(company.weight for company in world.companies)
    first = 1
    for company in world.companies:
        share = max(1, count * company.weight // total_weight)
        world.customer_ranges[company.id] = range(first, first + share)
        first += share
    rows, world.customers = customer_rows(world.customer_ranges, world.start, rng)
    return rows

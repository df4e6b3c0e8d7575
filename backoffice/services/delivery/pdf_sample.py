"""A sample invoice built in memory, without a database: for warming the renderer in a worker
before it forks, and for benchmarks."""

from datetime import date, timedelta
from decimal import Decimal

from models import (
    Company,
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    TaxCategory,
)

from ..invoicing.pricing import tax_total_rows
from ..invoicing.totals import totals_of_lines
from ..invoicing.vat_categories import VatTerms

RATES = {
    1: VatTerms(TaxCategory.STANDARD, Decimal("19")),
    2: VatTerms(TaxCategory.STANDARD, Decimal("7")),
    3: VatTerms(TaxCategory.ZERO_RATED, Decimal("0")),
}
ITEMS = [
    ("Software development, backend services", "h", "140.00", 1),
    ("Barcode scanner Zebra DS2208 incl. USB cable", "pcs", "189.90", 1),
    ("Handbook: VAT in cross-border e-commerce (print)", "pcs", "49.00", 2),
    ("Shipping & insurance, export delivery (zero-rated)", "pcs", "35.00", 3),
    ("Consulting, senior engineer (hourly) — Zürich office", "h", "165.00", 1),
    ("ERP connector licence, annual subscription", "pcs", "1200.00", 1),
    ("On-site training, half day, up to 8 participants", "day", "980.00", 1),
    ("Managed hosting, PostgreSQL HA pair, monthly", "mo", "420.00", 1),
]


def build_invoice(line_count: int, language: str = "en", number: int = 30) -> Invoice:
    """An issued invoice with line_count lines, built in memory without a database."""
    company = Company(
        name="Nordlicht Software GmbH",
        address="Bahnhofstrasse 12\n10115 Berlin",
        country="DE",
        tax_id="DE123456789",
        base_currency="EUR",
        email="billing@nordlicht.example",
        bank_name="Berliner Volksbank",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
    )
    customer = Customer(
        name="Łódź Ελλάδα Москва Zürich GmbH",
        address="ul. Piotrkowska 100\nAttn: Paweł Żółkiewski",
        postal_code="90-001",
        city="Łódź",
        country="PL",
        vat_id="PL7251234567",
        currency="EUR",
        language=language,
    )
    lines = []
    for position in range(1, line_count + 1):
        text, unit, price, rate_id = ITEMS[position % len(ITEMS)]
        quantity = Decimal(position % 23 + 1) / (2 if position % 5 == 0 else 1)
        lines.append(
            InvoiceLine(
                position=position,
                description=f"{text} (ref. PO-{40000 + position * 37 % 9000})",
                quantity=quantity,
                unit=unit,
                unit_price=Decimal(price),
                discount_percent=Decimal(10 if position % 11 == 0 else 0),
                tax_rate_id=rate_id,
            )
        )
    return _with_totals(company, customer, lines, number)


def _with_totals(
    company: Company, customer: Customer, lines: list[InvoiceLine], number: int
) -> Invoice:
    totals = totals_of_lines(lines, RATES, "EUR")
    for line, net in zip(lines, totals.line_nets, strict=True):
        line.net_amount = net
    issue_date = date(2026, 3, 2)
    return Invoice(
        company=company,
        customer=customer,
        kind=InvoiceKind.INVOICE.value,
        status=InvoiceStatus.ISSUED.value,
        number=number,
        reference=f"INV-2026-{number:06d}",
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=30),
        currency="EUR",
        exchange_rate=Decimal(1),
        po_reference="PO-2026-0815",
        notes="Thank you for your business.",
        terms="30 days net.",
        lines=lines,
        tax_totals=tax_total_rows(totals, RATES),
        net_amount=totals.net_amount,
        tax_amount=totals.tax_amount,
        total_amount=totals.total_amount,
        paid_amount=Decimal(0),
        credited_amount=Decimal(0),
    )

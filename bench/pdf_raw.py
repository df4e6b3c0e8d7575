"""Raw in-process PDF rendering speed: a 30-line and a 500-line invoice, N times each.

    .venv/bin/python -m bench.pdf_raw            # 20 x 30 lines, 3 x 500 lines
    .venv/bin/python -m bench.pdf_raw -n 50 -N 5 --out /tmp/pdf-bench

The invoices are built in memory (no database): the same objects the renderer gets from a
session, with totals computed by backoffice.services.totals. Reports PDFs per second after
preload(), the first (cold) render separately, and peak memory: tracemalloc's peak of Python
allocations during one extra render of each size (tracing slows rendering ~6x, so it is kept
out of the timed ones), and the process's maximum resident set size.
"""

import argparse
import hashlib
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from backoffice.services import pdf
from backoffice.services.totals import LineAmounts, compute_totals
from models import (
    Company,
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoiceTaxTotal,
)

RATES = {1: (Decimal("19"), "standard"), 2: (Decimal("7"), "reduced"), 3: (Decimal("0"), "zero")}
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
    totals = compute_totals(
        (
            LineAmounts(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate_id=line.tax_rate_id,
                tax_percentage=RATES[line.tax_rate_id][0],
                tax_category=RATES[line.tax_rate_id][1],
            )
            for line in lines
        ),
        "EUR",
    )
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
        tax_totals=[
            InvoiceTaxTotal(
                tax_rate_id=rate.tax_rate_id,
                percentage=rate.percentage,
                category=rate.category,
                taxable_amount=rate.taxable_amount,
                tax_amount=rate.tax_amount,
            )
            for rate in totals.breakdown
        ],
        net_amount=totals.net_amount,
        tax_amount=totals.tax_amount,
        total_amount=totals.total_amount,
        paid_amount=Decimal(0),
        credited_amount=Decimal(0),
    )


def bench(line_count: int, repeat: int, out: Path | None) -> dict:
    """Render one invoice repeat times; return timings, sizes and peak memory."""
    invoice = build_invoice(line_count)
    digests = set()
    started = time.perf_counter()
    for _ in range(repeat):
        data = pdf.render_invoice_pdf(invoice)
        digests.add(hashlib.sha256(data).hexdigest())
    elapsed = time.perf_counter() - started
    # Traced apart: tracemalloc slows xhtml2pdf down about sixfold.
    tracemalloc.start()
    pdf.render_invoice_pdf(invoice)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"invoice-{line_count}.pdf").write_bytes(data)
    return {
        "lines": line_count,
        "renders": repeat,
        "seconds": elapsed,
        "per_pdf": elapsed / repeat,
        "pdfs_per_second": repeat / elapsed,
        "bytes": len(data),
        "identical": len(digests) == 1,
        "traced_peak_mb": peak / 2**20,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="renders of the 30-line invoice")
    parser.add_argument("-N", type=int, default=3, help="renders of the 500-line invoice")
    parser.add_argument("--out", type=Path, help="write the last PDF of each size here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    pdf.preload()
    elapsed = time.perf_counter() - started
    print(f"preload (fonts, warm-up render; modules imported at start): {elapsed:.2f} s")
    for line_count, repeat in ((30, args.n), (500, args.N)):
        result = bench(line_count, repeat, args.out)
        print(
            f"{result['lines']:>4} lines: {result['renders']} renders in {result['seconds']:.2f} s"
            f" = {result['per_pdf']:.3f} s/PDF, {result['pdfs_per_second']:.2f} PDFs/s,"
            f" {result['bytes'] / 1024:.0f} KiB, byte-identical: {result['identical']},"
            f" peak traced {result['traced_peak_mb']:.1f} MiB"
        )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {max_rss:.0f} MiB (python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()

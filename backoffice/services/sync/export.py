"""Offline export: a company's issued invoices and credit notes of a period as the CSV files
Xero and QuickBooks Online import, for companies without an API connection.

One row per document line. Accounts, items and tax types come from the company's sync
mapping, checked first for exactly the tax rates the period uses. Money is written as exact
decimal strings; text a spreadsheet would run as a formula is neutralised.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    AccountingMapping,
    Company,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    SyncProvider,
    TaxRate,
)

from ..errors import DomainError
from ..spreadsheets import escape_formula
from . import export_formats
from .mapping import checked_mapping

FORMATS = {
    SyncProvider.XERO.value: export_formats.XERO,
    SyncProvider.QUICKBOOKS.value: export_formats.QUICKBOOKS,
}
# Drafts are not in the books; a void document never reaches them either.
EXPORTED_STATUSES = tuple(set(InvoiceStatus) - {InvoiceStatus.DRAFT, InvoiceStatus.VOID})
MAX_DAYS = 366  # one file per year at most: the importers take a few thousand rows at a time
BATCH = 500


@dataclass(frozen=True)
class Export:
    """What to export, checked: the company, the format, the period and the mapping to use."""

    company: Company
    provider: str
    start: date
    end: date
    mapping: AccountingMapping

    @property
    def filename(self) -> str:
        return f"{self.provider}-invoices-{self.start.isoformat()}-{self.end.isoformat()}.csv"


def prepare(session: Session, company: Company, provider: str, start: date, end: date) -> Export:
    """Check the format, the period and that the mapping covers every tax rate it uses."""
    if provider not in FORMATS:
        raise DomainError("Export for Xero or QuickBooks Online.", "provider")
    if end < start:
        raise DomainError("The period ends before it starts.", "end")
    if (end - start).days >= MAX_DAYS:
        raise DomainError(f"Export at most {MAX_DAYS} days at a time.", "end")
    used = select(InvoiceLine.tax_rate_id).join(Invoice).where(*_in_period(company.id, start, end))
    rates = session.scalars(select(TaxRate).where(TaxRate.id.in_(used)).order_by(TaxRate.name))
    # Payments are not exported: no payment method needs an account.
    mapping = checked_mapping(session, company.id, provider, list(rates), methods=())
    return Export(company, provider, start, end, mapping)


def documents(session: Session, export: Export) -> Iterator[Invoice]:
    """The period's issued invoices and credit notes, in issue order, a batch at a time."""
    query = (
        select(Invoice)
        .where(*_in_period(export.company.id, export.start, export.end))
        .options(
            selectinload(Invoice.lines),
            joinedload(Invoice.customer),
            joinedload(Invoice.original_invoice),
        )
        .order_by(Invoice.issue_date, Invoice.id)
        .execution_options(yield_per=BATCH)
    )
    yield from session.scalars(query)


def rows(session: Session, export: Export) -> Iterator[list[str]]:
    """The header, then one row per line of every document of the period."""
    layout = FORMATS[export.provider]
    yield list(layout.headers)
    for document in documents(session, export):
        sign = Decimal(-1) if document.kind == InvoiceKind.CREDIT_NOTE else Decimal(1)
        for line in document.lines:
            cells = layout.row(document, line, export.mapping, sign)
            yield [_text(cells.get(header)) for header in layout.headers]


def csv_chunks(lines: Iterable[list[str]]) -> Iterator[str]:
    """CSV text a few hundred rows at a time, for a download that never holds the whole file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for count, line in enumerate(lines, start=1):
        writer.writerow(line)
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _in_period(company_id: int, start: date, end: date) -> tuple:
    return (
        Invoice.company_id == company_id,
        Invoice.issue_date.between(start, end),
        Invoice.status.in_(EXPORTED_STATUSES),
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, never through float, never as 1E+2
    return escape_formula(str(value))

"""The exchange rate a foreign-currency draft needs before it is issued, and a rate to suggest."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from models import Company, Invoice, InvoiceKind

from ..errors import DomainError


@dataclass(frozen=True)
class SuggestedRate:
    """The rate of the company's latest issued invoice in a currency, and which one that was."""

    rate: Decimal
    reference: str
    issue_date: date

    def source(self) -> str:
        """Where the suggestion comes from, in words for the form's help text."""
        return f"the rate of {self.reference}, issued {self.issue_date.isoformat()}"


def needs_rate(currency: str, base_currency: str) -> bool:
    """An invoice in another currency than the company's needs a rate to the base currency."""
    return currency != base_currency


def check_base_currency_change(session: Session, company: Company) -> None:
    """Refuse a new base currency once the company has invoices: their exchange rates, the
    reports and the books' payloads are in the old one, and would be relabelled, not
    converted."""
    history = inspect(company).attrs.base_currency.history
    if not history.has_changes() or not history.deleted:
        return
    count = session.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.company_id == company.id)
    )
    if count:
        raise DomainError(
            f"{company.name} keeps its base currency {history.deleted[0]}: its {count} "
            "invoices and drafts, their exchange rates and the reports are in it. Set up a "
            "new company to keep books in another currency.",
            "base_currency",
        )


def missing_rate(currency: str, base_currency: str, rate: Decimal | None) -> str | None:
    """Why the draft cannot be issued yet for want of an exchange rate, or None."""
    if not needs_rate(currency, base_currency) or rate is not None:
        return None
    return (
        f"Set the exchange rate from {currency} to {base_currency} before issuing: "
        "reports in the base currency use it."
    )


def suggested_rate(session: Session, company_id: int, currency: str) -> SuggestedRate | None:
    """The rate fixed on the company's most recently issued invoice in that currency.

    Credit notes copy their invoice's older rate, so they suggest nothing. Read through
    ix_invoices_company_currency_issued (migration 0018): one index row, whatever the size.
    """
    row = session.execute(
        select(Invoice.exchange_rate, Invoice.reference, Invoice.issue_date)
        .where(
            Invoice.company_id == company_id,
            Invoice.currency == currency,
            Invoice.kind == InvoiceKind.INVOICE.value,
            Invoice.issued_at.is_not(None),
        )
        .order_by(Invoice.issued_at.desc())
        .limit(1)
    ).first()
    if row is None or row.exchange_rate is None:
        return None
    return SuggestedRate(row.exchange_rate, row.reference, row.issue_date)

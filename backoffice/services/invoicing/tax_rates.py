"""Tax rates: a rate that invoices use is history and is never rewritten."""

from sqlalchemy import exists, inspect, select
from sqlalchemy.orm import Session

from models import InvoiceLine, TaxRate

from ..errors import DomainError
from .vat_categories import VatTerms, checked_terms


def check_rate(session: Session, rate: TaxRate) -> None:
    """Check a tax rate a form has filled in: EN 16931 terms, and history left untouched."""
    terms = checked_terms(
        VatTerms(rate.category, rate.percentage, rate.exemption_code, rate.exemption_reason)
    )
    rate.category, rate.exemption_code = terms.category, terms.exemption_code
    rate.exemption_reason = terms.exemption_reason
    check_rate_change(session, rate)


def check_rate_change(session: Session, rate: TaxRate) -> None:
    """Refuse changing the percentage or category of a rate that invoice lines use."""
    state = inspect(rate)
    changed = [key for key in ("percentage", "category") if state.attrs[key].history.has_changes()]
    if not changed or rate.id is None:
        return
    used = session.scalar(select(exists().where(InvoiceLine.tax_rate_id == rate.id)))
    if used:
        raise DomainError(
            f"{rate.name} is used on invoices, so its {' and '.join(changed)} cannot change. "
            "Create a new rate and deactivate this one."
        )

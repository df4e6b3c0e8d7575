"""Where a company's records land in a provider's books, and what finance has yet to fill in."""

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import (
    AccountingMapping,
    Company,
    PaymentAccountMapping,
    PaymentMethod,
    SyncProvider,
    TaxRate,
    TaxTypeMapping,
    User,
)

from ..errors import DomainError
from ..permissions import Action, require
from ..scoping import require_company

PROVIDER_NAMES = {
    SyncProvider.XERO: "Xero",
    SyncProvider.QUICKBOOKS: "QuickBooks Online",
    SyncProvider.MYOB: "MYOB",
}


class MappingIncomplete(DomainError):
    """A push needs an account or tax type finance has not mapped yet."""


def save_mapping(
    session: Session,
    actor: User,
    company_id: int,
    provider: str,
    *,
    sales_account_code: str,
    tax_types: Mapping[int, str],
    payment_accounts: Mapping[str, str],
) -> AccountingMapping:
    """Replace a company's mapping for a provider; blank entries are left unmapped."""
    require(actor, Action.MANAGE_SETTINGS)
    require_company(actor, company_id)
    if provider not in SyncProvider.__members__.values():
        raise DomainError(f"Unknown accounting system {provider!r}.", "provider")
    unknown = set(payment_accounts) - set(PaymentMethod.__members__.values())
    if unknown:
        raise DomainError(f"Unknown payment method(s): {', '.join(sorted(unknown))}.")
    known = set(session.scalars(select(TaxRate.id).where(TaxRate.id.in_(tax_types))))
    if set(tax_types) - known:
        raise DomainError("A tax rate in the form no longer exists; reload the page.")
    mapping = find_mapping(session, company_id, provider) or AccountingMapping(
        company_id=company_id, provider=provider
    )
    mapping.sales_account_code = sales_account_code.strip()
    # The old rows go first: the flush would insert the new ones before deleting orphans,
    # and (mapping, rate) and (mapping, method) are unique.
    mapping.tax_types.clear()
    mapping.payment_accounts.clear()
    session.add(mapping)
    session.flush()
    mapping.tax_types = [
        TaxTypeMapping(tax_rate_id=rate_id, tax_type=tax_type.strip())
        for rate_id, tax_type in tax_types.items()
        if tax_type.strip()
    ]
    mapping.payment_accounts = [
        PaymentAccountMapping(method=method, account_code=code.strip())
        for method, code in payment_accounts.items()
        if code.strip()
    ]
    session.add(mapping)
    session.flush()
    return mapping


def find_mapping(session: Session, company_id: int, provider: str) -> AccountingMapping | None:
    return session.scalars(
        select(AccountingMapping)
        .where(AccountingMapping.company_id == company_id, AccountingMapping.provider == provider)
        .options(
            selectinload(AccountingMapping.tax_types),
            selectinload(AccountingMapping.payment_accounts),
        )
    ).one_or_none()


def missing(
    session: Session,
    company_id: int,
    provider: str,
    tax_rates: Iterable[TaxRate] | None = None,
    methods: Iterable[str] = (PaymentMethod.BANK_TRANSFER.value,),
) -> list[str]:
    """What finance must still map before records can be pushed, one sentence each.

    Without tax_rates: the active rates of the company's country; a push checks exactly the
    rates and method its record uses.
    """
    name = PROVIDER_NAMES.get(SyncProvider(provider), provider)
    mapping = find_mapping(session, company_id, provider)
    if tax_rates is None:
        company = session.get(Company, company_id)
        tax_rates = session.scalars(
            select(TaxRate)
            .where(TaxRate.country == company.country, TaxRate.is_active)
            .order_by(TaxRate.name)
        ).all()
    mapped_rates = {item.tax_rate_id for item in mapping.tax_types} if mapping else set()
    mapped_methods = {item.method for item in mapping.payment_accounts} if mapping else set()
    problems = []
    if mapping is None or not mapping.sales_account_code:
        if provider == SyncProvider.QUICKBOOKS:
            # QuickBooks lines sell an Item; the Item's income account takes the sales.
            problems.append(f"Set the id of the Item that invoice lines sell in {name}.")
        else:
            problems.append(f"Set the sales account code that invoices post to in {name}.")
    problems += [
        f"Map the tax rate “{rate}” to a {name} tax type."
        for rate in tax_rates
        if rate.id not in mapped_rates
    ]
    problems += [
        f"Map payments by {method.replace('_', ' ')} to a {name} bank or clearing account."
        for method in methods
        if method not in mapped_methods
    ]
    return problems


def checked_mapping(
    session: Session,
    company_id: int,
    provider: str,
    tax_rates: Iterable[TaxRate],
    methods: Iterable[str],
) -> AccountingMapping:
    """The mapping a push needs, or MappingIncomplete listing everything missing at once."""
    problems = missing(session, company_id, provider, tax_rates, methods)
    if problems:
        raise MappingIncomplete(" ".join(problems))
    return find_mapping(session, company_id, provider)


def tax_type(mapping: AccountingMapping, tax_rate_id: int) -> str:
    return next(item.tax_type for item in mapping.tax_types if item.tax_rate_id == tax_rate_id)


def payment_account(mapping: AccountingMapping, method: str) -> str:
    return next(item.account_code for item in mapping.payment_accounts if item.method == method)

"""What the accounting screen shows per company: each provider's connection and mapping."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AccountingConnection,
    AccountingMapping,
    Company,
    PaymentMethod,
    SyncProvider,
    TaxRate,
    User,
)

from ..scoping import in_companies, scoped
from .mapping import PROVIDER_NAMES, find_mapping, missing

OFFERED = tuple(SyncProvider)


@dataclass(frozen=True)
class ProviderState:
    provider: str
    name: str
    connection: AccountingConnection | None
    mapping: AccountingMapping | None
    missing: list[str]

    def tax_type(self, rate_id: int) -> str:
        items = self.mapping.tax_types if self.mapping else []
        return next((item.tax_type for item in items if item.tax_rate_id == rate_id), "")

    def account(self, method: str) -> str:
        items = self.mapping.payment_accounts if self.mapping else []
        return next((item.account_code for item in items if item.method == method), "")


@dataclass(frozen=True)
class CompanyState:
    company: Company
    tax_rates: list[TaxRate]
    providers: list[ProviderState]


def overview(session: Session, user: User) -> list[CompanyState]:
    """Every company the user may see, with its connections and what its mappings lack."""
    companies = session.scalars(
        scoped(select(Company), user, in_companies(Company.id)).order_by(Company.name)
    ).all()
    states = []
    for company in companies:
        rates = session.scalars(
            select(TaxRate)
            .where(TaxRate.country == company.country, TaxRate.is_active)
            .order_by(TaxRate.name)
        ).all()
        connections = {
            c.provider: c
            for c in session.scalars(
                select(AccountingConnection).where(AccountingConnection.company_id == company.id)
            )
        }
        providers = [
            ProviderState(
                provider=provider.value,
                name=PROVIDER_NAMES[provider],
                connection=connections.get(provider.value),
                mapping=find_mapping(session, company.id, provider.value),
                missing=missing(session, company.id, provider.value, rates),
            )
            for provider in OFFERED
        ]
        states.append(CompanyState(company, list(rates), providers))
    return states


PAYMENT_METHODS = [method.value for method in PaymentMethod]

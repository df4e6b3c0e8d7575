"""Plain factory functions: each adds a valid row (through the services where one exists)."""

import itertools
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.services.invoicing import drafts, lifecycle
from backoffice.services.invoicing.drafts import LineInput
from backoffice.services.payments import ledger
from backoffice.services.users import hash_password
from models import (
    BankAccount,
    Company,
    Customer,
    Invoice,
    InvoiceKind,
    NumberingSeries,
    Product,
    Role,
    TaxCategory,
    TaxRate,
    User,
)

DEFAULT_PASSWORD = "correct horse battery staple"
ISSUE_DAY = date(2026, 3, 2)

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """Return a name no other factory call (in any process) has produced."""
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:8]}"


@cache
def password_hash(password: str = DEFAULT_PASSWORD) -> str:
    """Hash once per password: argon2 is deliberately slow."""
    return hash_password(password)


def make_company(session: Session, **overrides: Any) -> Company:
    """Add a company with default INV- (invoices) and CN- (credit notes) series."""
    values: dict[str, Any] = {
        "name": unique("Company"),
        "address": "Hauptstrasse 1\n10115 Berlin",
        "country": "DE",
        "base_currency": "EUR",
        "default_payment_terms_days": 30,
        # Credit notes need a manager's approval above it; tests of that set their own.
        "credit_note_approval_threshold": Decimal("1000000"),
    }
    values.update(overrides)
    company = Company(**values)
    session.add(company)
    session.flush()
    session.add_all(
        [
            NumberingSeries(
                company_id=company.id, code="INV", kind=InvoiceKind.INVOICE.value, prefix="INV-"
            ),
            NumberingSeries(
                company_id=company.id,
                code="CN",
                kind=InvoiceKind.CREDIT_NOTE.value,
                prefix="CN-",
            ),
        ]
    )
    session.flush()
    return company


def series(session: Session, company: Company, code: str) -> NumberingSeries:
    """Return one of company's numbering series by code (INV, CN)."""
    return session.scalars(
        select(NumberingSeries).where(
            NumberingSeries.company_id == company.id, NumberingSeries.code == code
        )
    ).one()


def make_user(
    session: Session,
    role: Role | str = Role.FINANCE,
    companies: Iterable[Company] = (),
    **overrides: Any,
) -> User:
    """Add an active user with a role and access to the given companies."""
    values: dict[str, Any] = {
        "email": f"{unique(str(role))}@example.com".lower(),
        "name": f"{str(role).title()} User",
        "role": str(role),
        "password_hash": password_hash(),
        "is_active": True,
    }
    values.update(overrides)
    user = User(**values)
    user.companies = list(companies)
    session.add(user)
    session.flush()
    return user


def make_tax_rate(session: Session, percentage: str | Decimal = "19", **overrides: Any) -> TaxRate:
    """Add a tax rate (standard category unless the percentage is zero)."""
    percentage = Decimal(percentage)
    values: dict[str, Any] = {
        "name": unique(f"VAT {percentage}"),
        "percentage": percentage,
        "category": (TaxCategory.STANDARD if percentage else TaxCategory.ZERO_RATED).value,
        "country": "DE",
    }
    values.update(overrides)
    rate = TaxRate(**values)
    session.add(rate)
    session.flush()
    return rate


def make_customer(session: Session, company: Company, **overrides: Any) -> Customer:
    """Add a customer of company, billed in the company's base currency."""
    values: dict[str, Any] = {
        "company_id": company.id,
        "name": unique("Customer"),
        "address": "Rue de la Paix 1",
        "city": "Paris",
        "postal_code": "75002",
        "country": "FR",
        "email": "billing@example.com",
        "currency": company.base_currency,
        "payment_terms_days": 30,
        "language": "en",
    }
    values.update(overrides)
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    return customer


def make_product(
    session: Session, company: Company, tax_rate: TaxRate | None = None, **overrides: Any
) -> Product:
    """Add a product of company."""
    values: dict[str, Any] = {
        "company_id": company.id,
        "code": unique("P")[:40],
        "name": "Consulting hour",
        "unit": "hour",
        "unit_price": Decimal("100.00"),
        "default_tax_rate_id": tax_rate.id if tax_rate else None,
    }
    values.update(overrides)
    product = Product(**values)
    session.add(product)
    session.flush()
    return product


def line(
    tax_rate: TaxRate, quantity: str = "1", unit_price: str = "100.00", **kw: Any
) -> LineInput:
    """A line as typed into the draft screen."""
    return LineInput(
        description=kw.pop("description", "Consulting"),
        quantity=quantity,
        unit_price=unit_price,
        tax_rate_id=tax_rate.id,
        **kw,
    )


def make_draft(
    session: Session,
    actor: User,
    customer: Customer,
    lines: Iterable[LineInput | Mapping[str, Any]] | None = None,
    **draft_fields: Any,
) -> Invoice:
    """Create a draft through the service; lines=None adds one 100.00 line at 19 %."""
    invoice = drafts.create_draft(session, actor, customer, **draft_fields)
    if lines is None:
        lines = [line(make_tax_rate(session, "19"))]
    for data in lines:
        line_input = data if isinstance(data, LineInput) else LineInput(**data)
        drafts.add_line(session, actor, invoice, line_input)
    return invoice


def edit_draft(
    session: Session, actor: User, draft: Invoice, change: Callable[[Invoice], Any]
) -> Invoice:
    """Edit a draft as its screen does: change its rows, then let prepare_draft check and price.

    A refusal undoes the change, as the screen's rollback does.
    """
    with session.begin_nested():
        change(draft)
        drafts.prepare_draft(session, actor, draft, is_created=False)
    return draft


def set_quantity(index: int, quantity: str, unit_price: str | None = None) -> Callable:
    """A change for edit_draft: a line's quantity (and unit price), as typed in the form."""

    def change(draft: Invoice) -> None:
        draft.lines[index].quantity = Decimal(quantity)
        if unit_price is not None:
            draft.lines[index].unit_price = Decimal(unit_price)

    return change


def remove_line(index: int) -> Callable:
    """A change for edit_draft: tick a line's delete box."""
    return lambda draft: draft.lines.remove(draft.lines[index])


def make_issued_invoice(
    session: Session,
    actor: User,
    customer: Customer,
    lines: Iterable[LineInput | Mapping[str, Any]] | None = None,
    today: date = ISSUE_DAY,
    **draft_fields: Any,
) -> Invoice:
    """Create a draft through the service and issue it."""
    invoice = make_draft(session, actor, customer, lines, **draft_fields)
    return lifecycle.issue(session, actor, invoice, today)


def make_quarter_of_business(session: Session, actor: User, company: Company) -> dict:
    """Invoices in EUR (the company's base), USD and JPY from January to March 2026, then
    credited (in part and in full), paid, refunded, plus a draft and a void invoice that
    count nowhere; returns the issued invoices and credit notes."""
    vat19, vat7 = make_tax_rate(session, "19"), make_tax_rate(session, "7")
    eur = make_customer(session, company, name='=HYPERLINK("http://x")')
    usd = make_customer(session, company, name="Acme Inc", currency="USD")
    jpy = make_customer(session, company, name="Kaisha KK", currency="JPY")

    def issue(customer, day, lines, rate=None):
        return make_issued_invoice(
            session, actor, customer, lines, today=day, issue_date=day, exchange_rate=rate
        )

    jan = issue(eur, date(2026, 1, 10), [line(vat19, "3", "99.99"), line(vat7, "1", "10.05")])
    feb_usd = issue(
        usd,
        date(2026, 2, 5),
        [line(vat19, "2", "333.33"), line(vat7, "1", "45.55")],
        Decimal("0.91234567"),
    )
    feb_jpy = issue(jpy, date(2026, 2, 20), [line(vat19, "7", "1234")], Decimal("0.00612345"))
    mar = issue(eur, date(2026, 3, 2), [line(vat19, "1", "1000.00")])
    settled = issue(eur, date(2026, 3, 3), [line(vat7, "4", "12.50")])

    # A partial credit of the USD invoice: one of the two 19 % units, nothing at 7 %.
    note = lifecycle.create_credit_note(session, actor, feb_usd)
    edit_draft(session, actor, note, set_quantity(0, "1"))
    edit_draft(session, actor, note, remove_line(1))
    lifecycle.issue(session, actor, note, date(2026, 3, 4))
    full = lifecycle.credit_in_full(session, actor, settled, date(2026, 3, 5))

    ledger.record_payment(session, actor, jan, "100.00", date(2026, 2, 1), method="card")
    ledger.record_payment(session, actor, mar, mar.total_amount, date(2026, 3, 20))
    ledger.record_refund(session, actor, mar, "19.00", date(2026, 3, 25))
    ledger.record_payment(session, actor, feb_jpy, "5000", date(2026, 3, 1), method="cash")
    make_draft(session, actor, eur, [line(vat19, "1", "500.00")])
    void = issue(eur, date(2026, 3, 6), [line(vat19, "1", "777.00")])
    lifecycle.void(session, actor, void, "Typo")
    session.flush()
    return {"invoices": [jan, feb_usd, feb_jpy, mar, settled], "notes": [note, full]}


def make_bank_account(session: Session, company: Company, **overrides: Any) -> BankAccount:
    """Add the company's account DE89 3704 0044 0532 0130 00, with a German CSV mapping."""
    values: dict[str, Any] = {
        "company_id": company.id,
        "name": "Main account",
        "iban": "DE89370400440532013000",
        "currency": company.base_currency,
        "csv_delimiter": ";",
        "csv_header_rows": 1,
        "csv_date_column": "Buchungstag",
        "csv_date_format": "%d.%m.%Y",
        "csv_amount_column": "Betrag",
        "csv_currency_column": "Währung",
        "csv_text_column": "Verwendungszweck",
        "csv_counterparty_column": "Auftraggeber",
        "csv_counterparty_iban_column": "IBAN",
        "csv_decimal_comma": True,
        "csv_thousands_separator": ".",
    }
    values.update(overrides)
    account = BankAccount(**values)
    session.add(account)
    session.flush()
    return account


def make_bank_world(session: Session, actor: User, company: Company) -> dict[str, Any]:
    """A bank account and eight open invoices numbered INV-2026-000001..8 for three customers,
    as tests/fixtures/bank/ statements pay them (totals at 19 %: 119.00, 238.00, 357.00,
    476.00, then 11.90, 23.80 and 35.70 for one customer, and 595.00)."""
    vat = make_tax_rate(session, "19")
    muller = make_customer(session, company, name="Müller Maschinenbau GmbH")
    acme = make_customer(session, company, name="Acme Trading Ltd")
    kaisha = make_customer(session, company, name="Kaisha KK")
    owners = [muller, muller, acme, acme, kaisha, kaisha, kaisha, muller]
    prices = ["100.00", "200.00", "300.00", "400.00", "10.00", "20.00", "30.00", "500.00"]
    invoices = [
        make_issued_invoice(session, actor, owner, [line(vat, "1", price)])
        for owner, price in zip(owners, prices, strict=True)
    ]
    return {
        "account": make_bank_account(session, company),
        "invoices": invoices,
        "customers": {"muller": muller, "acme": acme, "kaisha": kaisha},
    }

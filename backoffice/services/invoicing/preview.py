"""A draft's figures while it is typed: the lines as they stand, priced by the saving rules."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Customer, Invoice, TaxRate, User

from ..errors import DomainError
from ..money import check_fits, parse_decimal, require_currency
from ..permissions import Action, require
from ..scoping import require_company
from . import exchange_rates
from .draft_limits import check_size
from .drafts import check_amounts
from .pricing import figures
from .totals import Totals
from .vat_categories import VatTerms

RATE_COLUMN = Invoice.__table__.c.exchange_rate


@dataclass(frozen=True)
class TypedLine:
    """A line's amounts as typed, checked like a saved line's."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate_id: int


@dataclass(frozen=True)
class Preview:
    """What the draft would come to if saved now, and whether it could then be issued."""

    totals: Totals
    terms: Mapping[int, VatTerms]
    base_currency: str
    needs_rate: bool
    suggestion: exchange_rates.SuggestedRate | None
    issue_blocker: str | None


def typed_line(position: int, fields: Mapping[str, object]) -> TypedLine:
    """Parse one line's quantity, price, discount and tax rate, naming the line if refused."""
    try:
        quantity = _number(fields, "quantity", "Quantity")
        unit_price = _number(fields, "unit_price", "Unit price")
        discount = _number(fields, "discount_percent", "Discount", default="0")
        check_amounts(quantity, unit_price, discount)
        rate = str(fields.get("tax_rate") or "").strip()
        if not rate.isdigit():
            raise DomainError("Choose a tax rate for the line.", "tax_rate")
    except DomainError as exc:
        raise DomainError(f"Line {position}: {exc.message}", exc.field) from None
    return TypedLine(quantity, unit_price, discount, int(rate))


def _number(fields: Mapping[str, object], name: str, label: str, default: str = "") -> Decimal:
    value = fields.get(name)
    # JSON may carry a number; its text is parsed like typed text, never through a float.
    text = (str(value).strip() if value is not None else "") or default
    if not text:
        raise DomainError(f"Every line needs a {label.lower()}.", name)
    return parse_decimal(text, name, label)


def typed_rate(text: str | None) -> Decimal | None:
    """The exchange rate as typed: empty for none yet, else a positive number."""
    if not (text or "").strip():
        return None
    rate = parse_decimal(text, "exchange_rate", "Exchange rate")
    check_fits(rate, RATE_COLUMN.type, "exchange_rate", "Exchange rate")
    if rate <= 0:
        raise DomainError("Exchange rate must be greater than zero.", "exchange_rate")
    return rate


def preview(
    session: Session,
    actor: User,
    customer: Customer,
    *,
    currency: str | None,
    lines: Sequence[Mapping[str, object]],
    exchange_rate: str | None = None,
    draft: Invoice | None = None,
) -> Preview:
    """Price the lines as a saved draft would be priced, without saving anything.

    draft is the document being edited, if any: a credit note keeps its currency and its tax
    follows what the invoice it corrects charged.
    """
    require(actor, Action.EDIT_DRAFT)
    require_company(actor, customer.company_id)
    if draft is not None:
        require_company(actor, draft.company_id)
        if draft.original_invoice_id is not None:
            currency = draft.currency
    currency = require_currency(currency or customer.currency)
    check_size(len(lines))
    typed = [typed_line(position, fields) for position, fields in enumerate(lines, start=1)]
    _check_rates_exist(session, typed)
    rate = typed_rate(exchange_rate)
    totals, terms = figures(session, typed, currency, draft)
    base = customer.company.base_currency
    needs_rate = exchange_rates.needs_rate(currency, base)
    return Preview(
        totals=totals,
        terms=terms,
        base_currency=base,
        needs_rate=needs_rate,
        suggestion=(
            exchange_rates.suggested_rate(session, customer.company_id, currency)
            if needs_rate
            else None
        ),
        issue_blocker=exchange_rates.missing_rate(currency, base, rate),
    )


def _check_rates_exist(session: Session, lines: Sequence[TypedLine]) -> None:
    wanted = {line.tax_rate_id for line in lines}
    known = set(session.scalars(select(TaxRate.id).where(TaxRate.id.in_(wanted))))
    for position, line in enumerate(lines, start=1):
        if line.tax_rate_id not in known:
            raise DomainError(f"Line {position}: that tax rate does not exist.", "tax_rate")

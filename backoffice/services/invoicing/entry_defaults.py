"""What a new draft takes from its customer, and a new line from its product."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from models import Customer, Product


@dataclass(frozen=True)
class CustomerDefaults:
    """A customer's currency and payment terms, and the due date they give."""

    currency: str
    payment_terms_days: int
    due_date: date
    terms: str


@dataclass(frozen=True)
class ProductLine:
    """A line's fields as its product fills them; the person may change each afterwards."""

    description: str
    unit: str
    unit_price: Decimal
    tax_rate_id: int | None


def payment_terms_text(days: int) -> str:
    """The payment terms printed on the invoice, in words."""
    if days == 0:
        return "Payable on receipt."
    return f"Payable within {days} days of the invoice date."


def customer_defaults(customer: Customer, issue_date: date) -> CustomerDefaults:
    """The customer's currency and terms, with the due date their terms give from issue_date."""
    days = customer.payment_terms_days
    return CustomerDefaults(
        currency=customer.currency,
        payment_terms_days=days,
        due_date=issue_date + timedelta(days=days),
        terms=payment_terms_text(days),
    )


def product_line(product: Product) -> ProductLine:
    """A line filled from a product: its description (else its name), unit, price and rate."""
    return ProductLine(
        description=product.description.strip() or product.name,
        unit=product.unit,
        unit_price=product.unit_price,
        tax_rate_id=product.default_tax_rate_id,
    )

"""Amounts as Stripe's API counts them: ISO 4217 minor units, but for the currencies where
Stripe counts otherwise (docs.stripe.com/currencies: zero-decimal currencies, special cases)."""

from decimal import Decimal

from ...errors import DomainError
from ...money import currency_exponent, format_money, require_currency

# Stripe's decimals where they differ from ISO 4217's. Sending ISO's units for these charges
# a hundredth (ISK, UGX) or a hundred times (MGA) of the balance.
STRIPE_EXPONENTS = {
    "ISK": 2,  # whole kronur since 2023, still written in hundredths (a multiple of 100)
    "UGX": 2,  # whole shillings, likewise written in hundredths
    "MGA": 0,  # one of Stripe's zero-decimal currencies; ISO 4217 gives it two decimals
}
# Stripe takes three-decimal currencies (BHD, JOD, KWD, OMR, TND) in steps of ten units: its
# card partners refuse an amount whose last digit is not 0.
THREE_DECIMAL_STEP = 10


class NotChargeableByCard(DomainError):
    """Stripe cannot charge this amount exactly in its currency."""


def stripe_exponent(currency: str) -> int:
    """How many decimals Stripe's amounts in this currency carry."""
    code = require_currency(currency)
    return STRIPE_EXPONENTS.get(code, currency_exponent(code))


def to_stripe_units(amount: Decimal, currency: str) -> int:
    """The amount as the whole number Stripe's API takes, or NotChargeableByCard."""
    exponent = stripe_exponent(currency)
    step = THREE_DECIMAL_STEP if exponent == 3 else 1
    units = amount.scaleb(exponent)
    if units != units.to_integral_value() or units % step:
        smallest = Decimal(step).scaleb(-exponent)
        unit = "whole units" if smallest == 1 else f"steps of {smallest}"
        raise NotChargeableByCard(
            f"Stripe charges {currency} in {unit}, so a card cannot pay "
            f"{format_money(amount, currency)} exactly: record the payment by hand when it "
            "arrives."
        )
    return int(units)


def from_stripe_units(units: int, currency: str) -> Decimal:
    """A whole number from Stripe's API as the amount it stands for."""
    return Decimal(units).scaleb(-stripe_exponent(currency))

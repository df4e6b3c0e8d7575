"""Currency precision and rounding: the one place that turns amounts into money."""

import copy
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import iso4217
from babel import Locale
from sqlalchemy import Numeric

from .errors import DomainError

# The minor units of every active currency, from the ISO 4217 table itself: babel's CLDR data
# differs for a dozen currencies (IQD 0 instead of 3, RSD 0 instead of 2) and still knows
# withdrawn codes (DEM, FRF). Metals and testing codes have no minor unit and are not
# invoiceable; amounts are stored with 3 decimals at most, so CLF and UYW (4) are refused.
EXPONENTS: dict[str, int] = {
    currency.code: currency.exponent
    for currency in iso4217.Currency
    if currency.exponent is not None and currency.exponent <= 3
}


def is_currency(code: str) -> bool:
    """Tell whether code is an active ISO 4217 currency one can invoice in."""
    return code in EXPONENTS


def currency_exponent(currency: str) -> int:
    """The currency's decimals per ISO 4217: 0 for JPY, 2 for EUR, 3 for BHD and IQD."""
    return EXPONENTS[require_currency(currency)]


def require_currency(code: str) -> str:
    """Return the upper-cased currency code, or refuse an unknown one."""
    normalized = (code or "").strip().upper()
    if not is_currency(normalized):
        raise DomainError(
            f"Unknown currency {code!r}: use an ISO 4217 code such as EUR.", "currency"
        )
    return normalized


def minor_unit(currency: str) -> Decimal:
    """Return the smallest amount of a currency: 1 for JPY, 0.01 for EUR, 0.001 for BHD."""
    return Decimal(1).scaleb(-currency_exponent(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor units (EN 16931; Decimal defaults to half-even)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def parse_decimal(text: str | Decimal, field: str, label: str) -> Decimal:
    """Parse user input into a finite Decimal, refusing floats and garbage with a clear message.

    A comma is refused rather than guessed at: "1,500" is 1500 in English and 1.5 in German.
    """
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, str):
        if "," in text:
            raise DomainError(
                f"{label}: use a point for decimals and no thousands separator.", field
            )
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise DomainError(f"{label} must be a number, not {text!r}.", field) from None
    else:
        raise TypeError(f"{label} must be text or Decimal, not {type(text).__name__}")
    if not value.is_finite():
        raise DomainError(f"{label} must be a finite number.", field)
    return value


def check_fits(value: Decimal, numeric: Numeric, field: str, label: str) -> Decimal:
    """Refuse a value the column would round or overflow, instead of storing something else."""
    if not value.is_finite():
        raise DomainError(f"{label} must be a finite number.", field)
    decimals = max(0, -value.normalize().as_tuple().exponent)
    if decimals > numeric.scale:
        raise DomainError(f"{label} has at most {numeric.scale} decimals.", field)
    if abs(value) >= Decimal(10) ** (numeric.precision - numeric.scale):
        raise DomainError(f"{label} is too large.", field)
    return value


def format_amount(amount: Decimal, currency: str) -> str:
    """Plain amount for form inputs: the currency's decimals, or more when a price has them."""
    exponent = currency_exponent(currency)
    normalized = amount.normalize()
    if -normalized.as_tuple().exponent < exponent:
        normalized = normalized.quantize(minor_unit(currency))
    return format(normalized, "f")


def format_plain(value: Decimal) -> str:
    """A quantity or percentage without trailing zeros or exponent: 2.5, 19, 1000."""
    return format(value.normalize(), "f")


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """Format an amount for people, in the given locale, with its ISO 4217 decimals."""
    digits = currency_exponent(currency)
    # The locale's own pattern (symbol, separators, order), with the ISO decimals in place
    # of CLDR's; a copy, since the locale data is shared.
    pattern = copy.copy(Locale.parse(locale).currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern.apply(
        round_money(amount, currency), locale, currency=currency, currency_digits=False
    )

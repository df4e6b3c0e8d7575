"""Currency precision and rounding: the one place that turns amounts into money."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

from .errors import DomainError

_KNOWN_CURRENCIES = frozenset(list_currencies())


def is_currency(code: str) -> bool:
    """Tell whether code is an ISO 4217 currency code babel knows."""
    return code in _KNOWN_CURRENCIES


def require_currency(code: str) -> str:
    """Return the upper-cased currency code, or refuse an unknown one."""
    normalized = (code or "").strip().upper()
    if not is_currency(normalized):
        raise DomainError(f"Unknown currency {code!r}: use an ISO 4217 code such as EUR.", "currency")
    return normalized


def minor_unit(currency: str) -> Decimal:
    """Return the smallest amount of a currency: 1 for JPY, 0.01 for EUR, 0.001 for BHD."""
    return Decimal(1).scaleb(-get_currency_precision(require_currency(currency)))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor units (EN 16931; Decimal defaults to half-even)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def parse_decimal(text: str | Decimal, label: str) -> Decimal:
    """Parse user input into a finite Decimal, refusing floats and garbage with a clear message."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, str):
        try:
            value = Decimal(text.strip().replace(",", ""))
        except InvalidOperation:
            raise DomainError(f"{label} must be a number, not {text!r}.", label) from None
    else:
        raise TypeError(f"{label} must be text or Decimal, not {type(text).__name__}")
    if not value.is_finite():
        raise DomainError(f"{label} must be a finite number.", label)
    return value


def format_amount(amount: Decimal, currency: str) -> str:
    """Plain amount for form inputs: the currency's decimals, or more when a price has them."""
    exponent = get_currency_precision(require_currency(currency))
    normalized = amount.normalize()
    if -normalized.as_tuple().exponent < exponent:
        normalized = normalized.quantize(minor_unit(currency))
    return format(normalized, "f")


def format_plain(value: Decimal) -> str:
    """A quantity or percentage without trailing zeros or exponent: 2.5, 19, 1000."""
    return format(value.normalize(), "f")


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """Format an amount for people, in the given locale."""
    return format_currency(round_money(amount, currency), currency, locale=locale)

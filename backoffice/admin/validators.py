"""WTForms validators that defer to the service rules, so a form error and a service error agree."""

from collections.abc import Callable
from typing import Any

from wtforms import DecimalField, Field, Form
from wtforms.validators import Regexp, ValidationError

from ..services.errors import DomainError
from ..services.money import format_plain, require_currency
from ..services.validation import check_emails, check_iban, check_vat_id


def _wrap(check: Callable[[Any], Any]) -> Callable[[Form, Field], None]:
    def validator(form: Form, field: Field) -> None:
        try:
            field.data = check(field.data)
        except DomainError as exc:
            raise ValidationError(exc.message) from None

    return validator


currency = _wrap(require_currency)
iban = _wrap(check_iban)
emails = _wrap(check_emails)


def vat_id(country_field: str) -> Callable[[Form, Field], None]:
    """Validate a VAT id against the country typed in the same form."""

    def validator(form: Form, field: Field) -> None:
        try:
            field.data = check_vat_id(field.data, form[country_field].data or "")
        except DomainError as exc:
            raise ValidationError(exc.message) from None

    return validator


def upper(value: str | None) -> str | None:
    """A filter that upper-cases codes such as countries and currencies."""
    return value.strip().upper() if isinstance(value, str) else value


class PlainDecimalField(DecimalField):
    """A decimal input that shows 2.5, not the column's padding 2.5000."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_plain(self.data) if self.data is not None else ""


# form_args for the code fields several screens share.
COUNTRY = {
    "filters": [upper],
    "validators": [Regexp(r"^[A-Z]{2}$", message="Use a two-letter ISO country code.")],
}
CURRENCY = {"filters": [upper], "validators": [currency]}


def found(form: Form, field: Field) -> None:
    """Refuse an id a picker could not find (another company's, or none at all)."""
    if getattr(field, "_formdata", None) and field.data is None:
        raise ValidationError("Not a valid choice")

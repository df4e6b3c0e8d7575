"""Checks on identifiers people type: VAT ids and IBANs (python-stdnum, checksums only)."""

from email_validator import EmailNotValidError, validate_email
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError
from stdnum.iban import validate as validate_iban

from .errors import DomainError

EU_VAT_PREFIX = {"GR": "EL"}


def check_vat_id(vat_id: str | None, country: str) -> str | None:
    """Return the normalized VAT id, or refuse one whose format or checksum is wrong.

    The country prefix may be omitted; the customer's country supplies it. Countries
    stdnum has no VAT module for are accepted as typed.
    """
    if not vat_id or not vat_id.strip():
        return None
    raw = vat_id.strip().upper().replace(" ", "")
    prefix = raw[:2] if raw[:2].isalpha() else EU_VAT_PREFIX.get(country.upper(), country.upper())
    module_country = {"EL": "GR"}.get(prefix, prefix).lower()
    module = get_cc_module(module_country, "vat")
    if module is None:
        return raw
    try:
        number = module.validate(raw[2:] if raw[:2].isalpha() else raw)
    except ValidationError as exc:
        raise DomainError(
            f"VAT id {vat_id!r} is not valid: {exc.message.rstrip('.')}.", "vat_id"
        ) from None
    return f"{prefix}{number}"


def check_iban(iban: str | None) -> str | None:
    """Return the compact IBAN, or refuse one with a bad checksum."""
    if not iban or not iban.strip():
        return None
    try:
        return validate_iban(iban)
    except ValidationError as exc:
        raise DomainError(
            f"IBAN {iban!r} is not valid: {exc.message.rstrip('.')}.", "iban"
        ) from None


def check_emails(text: str | None, field: str = "email") -> str:
    """Return comma-separated addresses normalized, or refuse any that is not one address.

    Each address is checked whole (email-validator, no DNS lookup), so nothing else, such as
    a line break with another header, can ride along into a message.
    """
    addresses = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        try:
            checked = validate_email(part.strip(), check_deliverability=False)
        except EmailNotValidError as exc:
            raise DomainError(f"{part.strip()!r} is not an email address: {exc}", field) from None
        addresses.append(checked.normalized)
    return ", ".join(addresses)

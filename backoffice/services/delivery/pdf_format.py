"""How an invoice's values are written on its PDF: the customer's locale for dates and
amounts, labels filled with escaped values, and the VAT rows with their legal wording."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from models import Invoice, TaxCategory

from ..invoicing.vat_categories import VATEX
from ..money import currency_exponent, format_money, round_money


def nl2br(text: str | None) -> Markup:
    """Escape text and keep its line breaks."""
    return Markup("<br/>").join(escape(line) for line in (text or "").strip().splitlines())


def fill(template: str, **values: Any) -> Markup:
    """Put values into a label such as "Please pay {amount}", escaping both."""
    return Markup(escape(template)).format(**values)


@dataclass(frozen=True)
class Formatter:
    """Dates, amounts and quantities as the customer's locale writes them."""

    locale: str
    currency: str

    def money(self, amount: Decimal) -> str:
        """Amount with its currency: 1.234,56 € in German."""
        return format_money(amount, self.currency, self.locale)

    def amount(self, amount: Decimal) -> str:
        """Amount without currency, in the currency's decimals, for table columns."""
        digits = currency_exponent(self.currency)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(round_money(amount, self.currency), pattern, locale=self.locale)

    def price(self, price: Decimal) -> str:
        """Unit price: the currency's decimals, more when the price has them (up to 6)."""
        digits = currency_exponent(self.currency)
        pattern = "#,##0." + "0" * digits + "#" * (6 - digits)
        return format_decimal(price, pattern, locale=self.locale)

    def number(self, value: Decimal) -> str:
        """Quantity without trailing zeros: 2,5 in German."""
        return format_decimal(value.normalize(), "#,##0.######", locale=self.locale)

    def percent(self, value: Decimal) -> str:
        """Tax or discount rate as printed, 19 % or 7,5 %."""
        return format_decimal(value.normalize(), "#,##0.####", locale=self.locale) + "\u00a0%"

    def date(self, value: date | None) -> str:
        """Date in the locale's medium form: 02.03.2026, Mar 2, 2026, 2 mars 2026."""
        if value is None:
            return ""
        # No-break spaces: "2 mars 2026" must not wrap inside a sentence.
        return format_date(value, "medium", locale=self.locale).replace(" ", "\u00a0")

    def country(self, code: str | None) -> str:
        """Country name in the customer's language."""
        if not code:
            return ""
        return Locale.parse(self.locale).territories.get(code.upper(), code.upper())


@dataclass(frozen=True)
class TaxRow:
    """One VAT row of the totals, with the legal wording a 0 % row must carry (art. 226)."""

    label: Markup
    wording: str
    amount: str


def tax_rows(invoice: Invoice, labels: Mapping[str, str], fmt: Formatter) -> list[TaxRow]:
    """The VAT breakdown as printed: rate and base, and why no VAT is charged where none is."""
    rows = []
    for total in invoice.tax_totals:
        wording = labels.get(f"vat_category_{total.category}", "")
        reason = legal_reason(total.exemption_code, total.exemption_reason)
        rows.append(
            TaxRow(
                label=fill(
                    labels["vat_on"],
                    rate=fmt.percent(total.percentage),
                    base=fmt.amount(total.taxable_amount),
                ),
                wording=" – ".join(part for part in (wording, reason) if part),
                amount=fmt.amount(total.tax_amount),
            )
        )
    return rows


def legal_reason(code: str | None, reason: str) -> str:
    """The exemption reason worth printing beside the category's own (translated) wording.

    A VATEX code's standard text for reverse charge, intra-community supply, export or not
    subject says what the wording already says; the legal references of exemptions (article
    132, ...) and any text an admin wrote are printed as they are.
    """
    standard = VATEX.get(code or "")
    if standard is not None and standard[0] != TaxCategory.EXEMPT and standard[1] == reason:
        return ""
    return reason

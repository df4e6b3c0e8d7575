"""The rules behind quick invoice entry: what a customer and a product fill in, the suggested
exchange rate, and the live figures of lines not yet saved."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.invoicing import entry_defaults, exchange_rates, lifecycle
from backoffice.services.invoicing.preview import preview
from tests import factories
from tests.factories import ISSUE_DAY, line


def typed(rate, quantity="1", price="100.00", discount="0") -> dict:
    return {
        "quantity": quantity,
        "unit_price": price,
        "discount_percent": discount,
        "tax_rate": str(rate.id),
    }


def test_a_customer_fills_currency_terms_and_the_due_date(session, company):
    customer = factories.make_customer(session, company, currency="CHF", payment_terms_days=14)
    filled = entry_defaults.customer_defaults(customer, date(2026, 12, 2))
    assert (filled.currency, filled.due_date) == ("CHF", date(2026, 12, 16))
    assert filled.terms == "Payable within 14 days of the invoice date."
    customer.payment_terms_days = 0
    assert entry_defaults.customer_defaults(customer, date(2026, 12, 2)).terms == (
        "Payable on receipt."
    )


def test_a_product_fills_description_unit_price_and_tax_rate(session, company, vat19):
    product = factories.make_product(
        session, company, vat19, name="Workshop", unit="day", unit_price=D("950.00")
    )
    assert entry_defaults.product_line(product) == entry_defaults.ProductLine(
        "Workshop", "day", D("950.00"), vat19.id
    )
    product.description = "Two-day workshop on site"
    assert entry_defaults.product_line(product).description == "Two-day workshop on site"


def test_the_suggested_rate_is_the_latest_issued_invoice_in_that_currency(
    session, finance, company, vat19
):
    dollars = factories.make_customer(session, company, currency="USD")
    assert exchange_rates.suggested_rate(session, company.id, "USD") is None
    for day, rate in ((ISSUE_DAY, "0.91"), (ISSUE_DAY + timedelta(days=1), "0.93")):
        factories.make_issued_invoice(
            session, finance, dollars, [line(vat19)], today=day, exchange_rate=D(rate)
        )
    factories.make_draft(session, finance, dollars, [line(vat19)], exchange_rate=D("5"))
    suggestion = exchange_rates.suggested_rate(session, company.id, "USD")
    assert suggestion.rate == D("0.93") and suggestion.issue_date == ISSUE_DAY + timedelta(1)
    assert suggestion.source().startswith(f"the rate of {suggestion.reference}, issued 2026-03-03")
    other = factories.make_company(session)
    assert exchange_rates.suggested_rate(session, other.id, "USD") is None
    assert exchange_rates.suggested_rate(session, company.id, "GBP") is None


def test_only_a_foreign_currency_needs_a_rate_before_issue():
    assert exchange_rates.missing_rate("EUR", "EUR", None) is None
    assert exchange_rates.missing_rate("USD", "EUR", D("0.9")) is None
    assert exchange_rates.missing_rate("USD", "EUR", None).startswith(
        "Set the exchange rate from USD to EUR before issuing"
    )


def test_the_preview_equals_the_saved_drafts_figures(session, finance, customer, vat19, vat7):
    lines = [
        line(vat19, "3", "120.00"),
        line(vat19, "1", "0.05", discount_percent="10"),
        line(vat7, "2.5", "33.33"),
    ]
    saved = factories.make_draft(session, finance, customer, lines)
    shown = preview(
        session,
        finance,
        customer,
        currency=None,
        lines=[
            typed(vat19, "3", "120.00"),
            typed(vat19, "1", "0.05", "10"),
            typed(vat7, "2.5", "33.33"),
        ],
    )
    totals = shown.totals
    assert totals.line_nets == tuple(saved_line.net_amount for saved_line in saved.lines)
    assert [(r.tax_rate_id, r.taxable_amount, r.tax_amount) for r in totals.breakdown] == [
        (row.tax_rate_id, row.taxable_amount, row.tax_amount) for row in saved.tax_totals
    ]
    assert (totals.net_amount, totals.tax_amount, totals.total_amount) == (
        saved.net_amount,
        saved.tax_amount,
        saved.total_amount,
    )
    assert (shown.needs_rate, shown.issue_blocker) == (False, None)


def test_the_preview_of_a_partial_credit_takes_the_rest_of_the_tax(
    session, finance, customer, vat19
):
    invoice = factories.make_issued_invoice(session, finance, customer, [line(vat19, "2", "12.50")])
    first = lifecycle.create_credit_note(session, finance, invoice)
    first.lines[0].quantity = D("1")
    lifecycle.issue(session, finance, first, ISSUE_DAY)
    rest = lifecycle.create_credit_note(session, finance, invoice)
    shown = preview(
        session, finance, customer, currency="EUR", lines=[typed(vat19, "1", "12.50")], draft=rest
    )
    # 12.50 at 19 % is 2.38 on its own; the rest of the tax charged (4.75 - 2.38) is 2.37.
    assert shown.totals.breakdown[0].tax_amount == D("2.37") == rest.tax_amount


def test_a_foreign_currency_preview_suggests_a_rate_and_blocks_issue_until_set(
    session, finance, company, vat19
):
    dollars = factories.make_customer(session, company, currency="USD")
    factories.make_issued_invoice(session, finance, dollars, [line(vat19)], exchange_rate=D("0.92"))
    lines = [typed(vat19)]
    shown = preview(session, finance, dollars, currency=None, lines=lines)
    assert shown.needs_rate and shown.suggestion.rate == D("0.92")
    assert "Set the exchange rate from USD to EUR" in shown.issue_blocker
    set_rate = preview(session, finance, dollars, currency="usd", lines=lines, exchange_rate="0.9")
    assert set_rate.issue_blocker is None
    in_euro = preview(session, finance, dollars, currency="EUR", lines=lines)
    assert (in_euro.needs_rate, in_euro.suggestion, in_euro.issue_blocker) == (False, None, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": "abc"}, "Line 2: Quantity must be a number, not 'abc'."),
        ({"quantity": "1,5"}, "Line 2: Quantity: use a point for decimals"),
        ({"quantity": "0"}, "Line 2: Quantity must be greater than zero."),
        ({"unit_price": ""}, "Line 2: Every line needs a unit price."),
        ({"unit_price": "-1"}, "Line 2: Unit price cannot be negative"),
        ({"discount_percent": "150"}, "Line 2: Discount must be between 0 and 100 percent."),
        ({"tax_rate": ""}, "Line 2: Choose a tax rate for the line."),
        ({"tax_rate": "999999"}, "Line 2: that tax rate does not exist."),
        ({"unit_price": "1e20"}, "Line 2: Unit price is too large."),
    ],
)
def test_the_preview_names_the_line_it_refuses(session, finance, customer, vat19, fields, message):
    lines = [typed(vat19), typed(vat19) | fields]
    with pytest.raises(DomainError) as refused:
        preview(session, finance, customer, currency=None, lines=lines)
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize(
    ("rate", "message"),
    [("nope", "Exchange rate must be a number"), ("-1", "greater than zero"), ("0", "greater")],
)
def test_the_preview_refuses_a_bad_exchange_rate(session, finance, company, vat19, rate, message):
    dollars = factories.make_customer(session, company, currency="USD")
    with pytest.raises(DomainError, match=message):
        preview(session, finance, dollars, currency=None, lines=[typed(vat19)], exchange_rate=rate)


def test_the_preview_refuses_an_unknown_currency_and_too_many_lines(
    session, finance, customer, vat19
):
    with pytest.raises(DomainError, match="Unknown currency 'XYZ'"):
        preview(session, finance, customer, currency="XYZ", lines=[typed(vat19)])
    with pytest.raises(DomainError, match="at most 500 lines"):
        preview(session, finance, customer, currency=None, lines=[typed(vat19)] * 501)


def test_support_may_preview_but_not_another_companys_customer_nor_a_manager(
    session, support, manager, company, vat19
):
    stranger = factories.make_customer(session, factories.make_company(session))
    own = factories.make_customer(session, company)
    assert preview(session, support, own, currency=None, lines=[typed(vat19)]).totals
    with pytest.raises(PermissionDenied):
        preview(session, support, stranger, currency=None, lines=[typed(vat19)])
    with pytest.raises(PermissionDenied):
        preview(session, manager, own, currency=None, lines=[typed(vat19)])

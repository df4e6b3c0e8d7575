"""Rounding and invoice totals (EN 16931): fixed vectors and properties over random invoices."""

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.services.errors import DomainError
from backoffice.services.invoicing.totals import LineAmounts, compute_totals
from backoffice.services.money import (
    format_money,
    minor_unit,
    parse_decimal,
    require_currency,
    round_money,
)

D = Decimal
CURRENCY_DECIMALS = {"EUR": 2, "USD": 2, "JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}
# (tax rate id, percentage, category)
RATES = [
    (1, D("19"), "S"),
    (2, D("7"), "S"),
    (3, D("5.5"), "S"),
    (4, D("0"), "Z"),
    (5, D("21"), "S"),
]


def amounts(
    quantity: str,
    unit_price: str,
    percentage: str = "19",
    *,
    discount: str = "0",
    rate_id: int | None = None,
) -> LineAmounts:
    """A line for compute_totals; rate_id defaults to one id per percentage."""
    return LineAmounts(
        quantity=D(quantity),
        unit_price=D(unit_price),
        discount_percent=D(discount),
        tax_rate_id=rate_id if rate_id is not None else int(D(percentage) * 100),
        tax_percentage=D(percentage),
        tax_category="S" if D(percentage) else "Z",
    )


def decimals_of(amount: Decimal) -> int:
    return max(0, -amount.as_tuple().exponent)


# --- no floats -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.125, 1.0, 2.5])
def test_round_money_refuses_float(value):
    with pytest.raises(TypeError):
        round_money(value, "EUR")


def test_round_money_refuses_int_and_str():
    with pytest.raises(TypeError):
        round_money(1, "EUR")
    with pytest.raises(TypeError):
        round_money("1.00", "EUR")


def test_parse_decimal_refuses_float():
    with pytest.raises(TypeError):
        parse_decimal(0.1, "Quantity")


def test_compute_totals_refuses_float_quantity():
    line = LineAmounts(
        quantity=0.1,  # type: ignore[arg-type]
        unit_price=D("1"),
        discount_percent=D("0"),
        tax_rate_id=1,
        tax_percentage=D("19"),
        tax_category="S",
    )
    with pytest.raises(TypeError):
        compute_totals([line], "EUR")


# --- rounding vectors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.125", "EUR", "0.13"),  # half-up, where Decimal's default half-even gives 0.12
        ("0.124999", "EUR", "0.12"),
        ("0.135", "EUR", "0.14"),
        ("-0.125", "EUR", "-0.13"),  # symmetric: half away from zero
        ("2.5", "JPY", "3"),  # half-even would give 2
        ("3.5", "JPY", "4"),
        ("1.49", "JPY", "1"),
        ("1.0005", "BHD", "1.001"),
        ("1.0004", "BHD", "1.000"),
        ("0.0005", "KWD", "0.001"),
        ("10", "EUR", "10.00"),
        ("0", "JPY", "0"),
    ],
)
def test_round_money_rounds_half_up_to_minor_units(amount, currency, expected):
    rounded = round_money(D(amount), currency)
    assert rounded == D(expected)
    assert str(rounded) == expected  # the exponent too, not only the value


@pytest.mark.parametrize(("currency", "unit"), [("EUR", "0.01"), ("JPY", "1"), ("BHD", "0.001")])
def test_minor_unit_follows_iso_4217(currency, unit):
    assert minor_unit(currency) == D(unit)


# CLDR (babel) gives these currencies other decimals than the ISO 4217 table does.
@pytest.mark.parametrize(
    ("currency", "unit"),
    [("IQD", "0.001"), ("RSD", "0.01"), ("MGA", "0.01"), ("LAK", "0.01"), ("ISK", "1")],
)
def test_minor_unit_is_the_iso_4217_one_when_cldr_disagrees(currency, unit):
    assert minor_unit(currency) == D(unit)
    assert round_money(D("1.2345"), currency) == D("1.2345").quantize(D(unit), ROUND_HALF_UP)


@pytest.mark.parametrize("code", ["DEM", "FRF", "ITL", "VEF", "HRK"])
def test_withdrawn_currencies_are_refused(code):
    with pytest.raises(DomainError, match=f"Unknown currency '{code}'"):
        require_currency(code)


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [("1234.567", "IQD", "IQD1,234.567"), ("1234", "JPY", "¥1,234"), ("5", "RSD", "RSD5.00")],
)
def test_amounts_are_shown_with_the_iso_4217_decimals(amount, currency, shown):
    assert format_money(D(amount), currency) == shown


def test_round_money_accepts_lowercase_currency():
    assert round_money(D("0.125"), "eur") == D("0.13")


def test_unknown_currency_is_refused():
    with pytest.raises(DomainError, match="Unknown currency"):
        round_money(D("1"), "EURO")
    with pytest.raises(DomainError):
        require_currency("")


@pytest.mark.parametrize("text", ["abc", "", "1..2", "NaN", "Infinity", "--1", "1,5", "1,500"])
def test_parse_decimal_refuses_garbage_with_a_domain_error(text):
    with pytest.raises(DomainError, match="Quantity") as refused:
        parse_decimal(text, "quantity", "Quantity")
    assert refused.value.field == "quantity"


def test_parse_decimal_accepts_text_and_decimal():
    assert parse_decimal(" 2.50 ", "quantity", "Quantity") == D("2.5")
    assert parse_decimal(D("3"), "quantity", "Quantity") == D("3")


@pytest.mark.parametrize("code", ["XXX", "XAU", "XTS", "CLF"])
def test_codes_that_are_not_invoiceable_currencies_are_refused(code):
    with pytest.raises(DomainError, match="Unknown currency"):
        require_currency(code)


# --- totals vectors ------------------------------------------------------------------------


def test_tax_is_rounded_once_per_rate_not_per_line():
    # 0.10 x 5 % = 0.005 per line: rounding each line would give 0.01 x 3 = 0.03;
    # EN 16931 rounds the rate's taxable 0.30 x 5 % = 0.015 once, to 0.02.
    totals = compute_totals([amounts("1", "0.10", "5")] * 3, "EUR")
    assert totals.line_nets == (D("0.10"),) * 3
    assert [(r.taxable_amount, r.tax_amount) for r in totals.breakdown] == [(D("0.30"), D("0.02"))]
    assert totals.tax_amount == D("0.02")
    assert totals.total_amount == D("0.32")


def test_line_discount_is_taken_before_rounding_the_line():
    # 3 x 19.99 = 59.97, less 15 % (8.9955) = 50.9745 -> 50.97; tax 19 % of 50.97 = 9.6843.
    totals = compute_totals([amounts("3", "19.99", "19", discount="15")], "EUR")
    assert totals.line_nets == (D("50.97"),)
    assert totals.net_amount == D("50.97")
    assert totals.tax_amount == D("9.68")
    assert totals.total_amount == D("60.65")


def test_full_discount_gives_a_zero_line():
    totals = compute_totals([amounts("2", "50", "19", discount="100")], "EUR")
    assert totals.line_nets == (D("0.00"),)
    assert totals.total_amount == D("0.00")


def test_line_net_is_rounded_half_up_from_sub_cent_prices():
    # 7 x 0.0125 = 0.0875 -> 0.09; 3 x 0.0125 = 0.0375 -> 0.04
    totals = compute_totals([amounts("7", "0.0125"), amounts("3", "0.0125")], "EUR")
    assert totals.line_nets == (D("0.09"), D("0.04"))
    assert totals.net_amount == D("0.13")


def test_breakdown_has_one_row_per_rate_in_percentage_order():
    lines = [
        amounts("1", "100.00", "19"),
        amounts("2", "10.00", "7"),
        amounts("1", "0.99", "19"),
        amounts("1", "5.00", "0"),
    ]
    totals = compute_totals(lines, "EUR")
    assert [(r.percentage, r.taxable_amount, r.tax_amount) for r in totals.breakdown] == [
        (D("0"), D("5.00"), D("0.00")),
        (D("7"), D("20.00"), D("1.40")),
        (D("19"), D("100.99"), D("19.19")),  # 19.1881
    ]
    assert totals.net_amount == D("125.99")
    assert totals.tax_amount == D("20.59")
    assert totals.total_amount == D("146.58")


def test_jpy_totals_have_no_decimals():
    # 3 x 333.5 = 1000.5 -> 1001; 10 % of 1001 = 100.1 -> 100
    totals = compute_totals([amounts("3", "333.5", "10"), amounts("1", "0.4", "10")], "JPY")
    assert totals.line_nets == (D("1001"), D("0"))
    assert totals.tax_amount == D("100")
    assert totals.total_amount == D("1101")
    for amount in (*totals.line_nets, totals.net_amount, totals.tax_amount, totals.total_amount):
        assert decimals_of(amount) == 0


def test_bhd_totals_keep_three_decimals():
    # 1.0005 -> 1.001 per line (x2 lines); 10 % of 2.002 = 0.2002 -> 0.200
    totals = compute_totals([amounts("1", "1.0005", "10")] * 2, "BHD")
    assert totals.line_nets == (D("1.001"), D("1.001"))
    assert totals.tax_amount == D("0.200")
    assert str(totals.total_amount) == "2.202"


def test_empty_invoice_totals_are_zero():
    totals = compute_totals([], "EUR")
    assert totals.breakdown == ()
    assert totals.total_amount == D("0")


def test_same_rate_id_is_one_breakdown_row():
    lines = [amounts("1", "0.05", "19", rate_id=9), amounts("1", "0.05", "19", rate_id=9)]
    totals = compute_totals(lines, "EUR")
    assert len(totals.breakdown) == 1
    assert totals.breakdown[0].tax_amount == D("0.02")  # 0.10 x 19 % = 0.019


# --- properties ----------------------------------------------------------------------------

quantities = st.decimals(min_value=D("0.0001"), max_value=D("10000"), places=4)
unit_prices = st.decimals(min_value=D("0"), max_value=D("100000"), places=6)
discounts = st.decimals(min_value=D("0"), max_value=D("100"), places=2)
line_amounts = st.builds(
    lambda q, p, d, rate: LineAmounts(q, p, d, rate[0], rate[1], rate[2]),
    quantities,
    unit_prices,
    discounts,
    st.sampled_from(RATES),
)
currencies = st.sampled_from(sorted(CURRENCY_DECIMALS))


@given(st.lists(line_amounts, max_size=25), currencies)
def test_totals_equal_the_sum_of_their_parts(lines, currency):
    totals = compute_totals(lines, currency)

    assert totals.net_amount == sum(totals.line_nets, D(0))
    assert totals.net_amount == sum((r.taxable_amount for r in totals.breakdown), D(0))
    assert totals.tax_amount == sum((r.tax_amount for r in totals.breakdown), D(0))
    assert totals.total_amount == totals.net_amount + totals.tax_amount

    for rate in totals.breakdown:
        nets_at_rate = [
            net
            for line, net in zip(lines, totals.line_nets, strict=True)
            if line.tax_rate_id == rate.tax_rate_id
        ]
        assert rate.taxable_amount == sum(nets_at_rate, D(0))
        assert rate.tax_amount == round_money(rate.taxable_amount * rate.percentage / 100, currency)
    assert len(totals.breakdown) == len({line.tax_rate_id for line in lines})
    assert [r.percentage for r in totals.breakdown] == sorted(
        r.percentage for r in totals.breakdown
    )


@given(st.lists(line_amounts, max_size=25), currencies)
def test_every_amount_has_at_most_the_currency_decimals(lines, currency):
    totals = compute_totals(lines, currency)
    every = [
        *totals.line_nets,
        *(r.taxable_amount for r in totals.breakdown),
        *(r.tax_amount for r in totals.breakdown),
        totals.net_amount,
        totals.tax_amount,
        totals.total_amount,
    ]
    for amount in every:
        assert isinstance(amount, Decimal)
        assert decimals_of(amount) <= CURRENCY_DECIMALS[currency]


@given(st.lists(line_amounts, min_size=1, max_size=25), currencies)
def test_line_nets_are_rounded_once_and_tax_stays_within_half_a_unit_per_rate(lines, currency):
    totals = compute_totals(lines, currency)
    half_unit = minor_unit(currency) / 2
    for line, net in zip(lines, totals.line_nets, strict=True):
        exact = line.quantity * line.unit_price * (1 - line.discount_percent / 100)
        assert abs(net - exact) <= half_unit
    exact_tax = sum((r.taxable_amount * r.percentage / 100 for r in totals.breakdown), D(0))
    assert abs(totals.tax_amount - exact_tax) <= half_unit * len(totals.breakdown)


@given(st.lists(line_amounts, max_size=15), currencies, st.randoms(use_true_random=False))
def test_totals_do_not_depend_on_line_order(lines, currency, rnd: random.Random):
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    first, second = compute_totals(lines, currency), compute_totals(shuffled, currency)
    assert first.breakdown == second.breakdown
    assert first.total_amount == second.total_amount


@given(
    st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=6),
    currencies,
)
def test_round_money_is_idempotent_and_within_half_a_unit(amount, currency):
    rounded = round_money(amount, currency)
    assert decimals_of(rounded) == CURRENCY_DECIMALS[currency]
    assert round_money(rounded, currency) == rounded
    assert abs(rounded - amount) <= minor_unit(currency) / 2
    assert round_money(-amount, currency) == -rounded

"""The draft form's JSON helpers and its Issue buttons, through HTTP as each role uses them:
the figures shown while typing are the figures saved, and every helper is checked like the
form (role, companies, CSRF, bad input)."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import EmailMessage
from tests import factories

from .conftest import csrf_token, messages, snapshot
from .test_invoice_flow import create_draft, latest_invoice


def ask_preview(client, body: dict, token: str | None = None):
    headers = {"X-CSRFToken": token or csrf_token(client, "/admin/account/")}
    return client.post("/admin/invoice/preview/", json=body, headers=headers)


def typed(rate, quantity="1", price="100.00", discount="0") -> dict:
    return {
        "quantity": quantity,
        "unit_price": price,
        "discount_percent": discount,
        "tax_rate": str(rate.id),
    }


@pytest.fixture
def vat7(db_session):
    return factories.make_tax_rate(db_session, "7")


def test_the_figures_shown_while_typing_are_the_figures_saved(
    client_as, db_session, customer, vat19, vat7
):
    client = client_as("finance")
    lines = [
        typed(vat19, "3", "120.00"),
        typed(vat7, "2", "39.90", "5"),
        typed(vat19, "1", "0.125"),
    ]
    shown = ask_preview(client, {"customer": customer.id, "currency": "", "lines": lines})
    assert shown.status_code == 200, shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    figures = shown.get_json()

    form = {}
    for n, line in enumerate(lines):
        form |= {f"lines-{n}-{name}": line[name] for name in ("quantity", "unit_price")}
        form |= {
            f"lines-{n}-description": f"Line {n}",
            f"lines-{n}-unit": "unit",
            f"lines-{n}-discount_percent": line["discount_percent"],
            f"lines-{n}-tax_rate": line["tax_rate"],
        }
    assert create_draft(client, customer, vat19, **form).status_code == 302
    saved = latest_invoice(db_session)
    assert [Decimal(line["amount"]) for line in figures["lines"]] == [
        line.net_amount for line in saved.lines
    ]
    assert [
        (r["tax_rate"], Decimal(r["taxable"]["amount"]), Decimal(r["tax"]["amount"]))
        for r in figures["breakdown"]
    ] == [(row.tax_rate_id, row.taxable_amount, row.tax_amount) for row in saved.tax_totals]
    # One row per rate, tax rounded once per rate: 360.13 at 19 % and 75.81 at 7 %.
    assert [(r["rate"], r["taxable"]["text"], r["tax"]["text"]) for r in figures["breakdown"]] == [
        ("7%", "€75.81", "€5.31"),
        ("19%", "€360.13", "€68.42"),
    ]
    assert figures["total"]["text"] == "€509.67"
    assert Decimal(figures["total"]["amount"]) == saved.total_amount == Decimal("509.67")


def test_support_may_ask_for_figures_and_fill_lines_but_a_manager_may_not(
    client_as, db_session, company, customer, vat19
):
    product = factories.make_product(db_session, company, vat19, name="Workshop", unit="day")
    db_session.commit()
    support = client_as("support")
    assert (
        ask_preview(support, {"customer": customer.id, "lines": [typed(vat19)]}).status_code == 200
    )
    filled = support.get(f"/admin/invoice/product-line/?product={product.id}&currency=EUR")
    assert filled.get_json() == {
        "description": "Workshop",
        "unit": "day",
        "unit_price": "100.00",
        "tax_rate": vat19.id,
    }
    manager = client_as("manager")
    assert (
        ask_preview(manager, {"customer": customer.id, "lines": [typed(vat19)]}).status_code == 403
    )
    assert manager.get(f"/admin/invoice/product-line/?product={product.id}").status_code == 403
    assert (
        manager.get(f"/admin/invoice/customer-defaults/?customer={customer.id}").status_code == 403
    )


def test_a_customer_fills_currency_terms_and_due_date(client_as, db_session, company):
    customer = factories.make_customer(db_session, company, currency="CHF", payment_terms_days=10)
    db_session.commit()
    client = client_as("support")
    answer = client.get(
        f"/admin/invoice/customer-defaults/?customer={customer.id}&issue_date=2026-12-28"
    )
    assert answer.get_json() == {
        "currency": "CHF",
        "payment_terms_days": 10,
        "due_date": "2027-01-07",
        "terms": "Payable within 10 days of the invoice date.",
    }
    bad = client.get(f"/admin/invoice/customer-defaults/?customer={customer.id}&issue_date=28.12.")
    assert bad.status_code == 400
    assert bad.get_json()["error"] == "Issue date '28.12.': use a date such as 2026-12-02."


def test_another_companys_records_are_not_found(
    client_as, db_session, company, other_company, vat19
):
    theirs = factories.make_customer(db_session, other_company)
    product = factories.make_product(db_session, other_company, vat19)
    clerk = factories.make_user(db_session, companies=[other_company])
    draft = factories.make_draft(db_session, clerk, theirs, [factories.line(vat19)])
    ours = factories.make_customer(db_session, company)
    db_session.commit()
    client = client_as("finance")
    refused = ask_preview(client, {"customer": theirs.id, "lines": [typed(vat19)]})
    assert refused.status_code == 404
    assert refused.get_json()["error"] == "That customer does not exist or is not yours to see."
    body = {"customer": ours.id, "invoice": draft.id, "lines": [typed(vat19)]}
    assert ask_preview(client, body).status_code == 404
    assert client.get(f"/admin/invoice/product-line/?product={product.id}").status_code == 404
    assert client.get(f"/admin/invoice/customer-defaults/?customer={theirs.id}").status_code == 404


OURS = "the test's customer"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"customer": 1, "lines": "3 lines"}, "lines must be a list of lines"),
        ({"lines": []}, "Choose a customer: the figures depend on their currency."),
        ({"customer": OURS, "lines": [{"quantity": "abc"}]}, "Line 1: Quantity must be a number"),
        (
            {"customer": OURS, "lines": [{"quantity": "2", "unit_price": "-5"}]},
            "Line 1: Unit price",
        ),
        ({"customer": OURS, "currency": "EURO", "lines": []}, "Unknown currency 'EURO'"),
        ({"customer": OURS, "exchange_rate": "1,1", "lines": []}, "Exchange rate: use a point"),
    ],
)
def test_bad_input_gets_a_clear_400_and_changes_nothing(
    client_as, db_session, customer, body, message
):
    client = client_as("finance")
    before = snapshot(db_session)
    if body.get("customer") == OURS:
        body = body | {"customer": customer.id}
    answer = ask_preview(client, body)
    assert answer.status_code == 400
    assert answer.get_json()["error"].startswith(message)
    assert snapshot(db_session) == before


def test_a_body_that_is_not_json_gets_a_clear_400(client_as):
    client = client_as("finance")
    answer = client.post(
        "/admin/invoice/preview/",
        data="quantity=3",
        headers={
            "X-CSRFToken": csrf_token(client, "/admin/account/"),
            "Content-Type": "text/plain",
        },
    )
    assert (answer.status_code, answer.get_json()["error"]) == (
        400,
        "Send the draft as a JSON object.",
    )


def test_the_figures_need_the_csrf_token(client_as, customer, vat19):
    client = client_as("finance")
    answer = client.post(
        "/admin/invoice/preview/", json={"customer": customer.id, "lines": [typed(vat19)]}
    )
    assert answer.status_code == 400
    assert "total" not in answer.get_data(as_text=True)


def test_issue_and_send_from_the_form_saves_issues_and_queues_the_email(
    client_as, db_session, customer, vat19
):
    client = client_as("finance")
    saved = create_draft(client, customer, vat19, then="issue_send")
    invoice = latest_invoice(db_session)
    assert saved.status_code == 302 and saved.location.endswith(f"details/?id={invoice.id}")
    assert (invoice.status, invoice.po_reference) == ("issued", "PO-4711")
    email = db_session.scalars(select(EmailMessage)).one()
    assert (email.invoice_id, email.status) == (invoice.id, "queued")


def test_support_cannot_issue_from_the_form_and_nothing_is_saved(
    client_as, db_session, customer, vat19
):
    support = client_as("support")
    before = snapshot(db_session)
    assert create_draft(support, customer, vat19, then="issue").status_code == 403
    assert snapshot(db_session) == before
    page = support.get("/admin/invoice/new/").get_data(as_text=True)
    assert 'value="issue"' not in page and 'value="issue_send"' not in page


def test_a_foreign_currency_draft_asks_for_its_rate_before_issue(
    client_as, db_session, users, company, vat19
):
    dollars = factories.make_customer(db_session, company, currency="USD", name="Acme Inc.")
    earlier = factories.make_issued_invoice(
        db_session,
        users["finance"],
        dollars,
        [factories.line(vat19)],
        exchange_rate=Decimal("0.9215"),
    )
    draft = factories.make_draft(db_session, users["finance"], dollars, [factories.line(vat19)])
    db_session.commit()
    client = client_as("finance")

    page = client.get(f"/admin/invoice/edit/?id={draft.id}").get_data(as_text=True)
    assert (
        f"Needed to issue in USD: EUR per 1 USD. Suggested 0.9215: the rate of "
        f"{earlier.reference}, issued 2026-03-02." in page
    )
    assert "Set the exchange rate from USD to EUR before issuing" in page
    assert page.count("data-issue") == 2 and page.count("disabled>Issue") == 2

    shown = ask_preview(
        client,
        {"customer": dollars.id, "invoice": draft.id, "lines": [typed(vat19)], "currency": "USD"},
    ).get_json()
    assert shown["exchange_rate"] == {
        "needed": True,
        "base_currency": "EUR",
        "suggested": "0.9215",
        "source": f"the rate of {earlier.reference}, issued 2026-03-02",
    }
    assert shown["issue_blocker"].startswith("Set the exchange rate from USD to EUR")

    # Issue asked for anyway (say, by a stale page): the draft is saved, not issued.
    form = {
        "customer": str(dollars.id),
        "currency": "USD",
        "expected_version": str(draft.version),
        "then": "issue",
        "csrf_token": csrf_token(client, "/admin/account/"),
        "lines-0-id": str(draft.lines[0].id),
        "lines-0-description": "Consulting",
        "lines-0-quantity": "2",
        "lines-0-unit": "unit",
        "lines-0-unit_price": "100.00",
        "lines-0-discount_percent": "0",
        "lines-0-tax_rate": str(vat19.id),
    }
    refused = client.post(f"/admin/invoice/edit/?id={draft.id}", data=form, follow_redirects=True)
    assert "Set the exchange rate from USD to EUR before issuing" in messages(
        refused.get_data(as_text=True)
    )
    db_session.expire_all()
    assert (draft.status, draft.lines[0].quantity) == ("draft", 2)


def test_the_draft_form_marks_only_required_fields_and_uses_date_pickers(client_as):
    page = client_as("finance").get("/admin/invoice/new/").get_data(as_text=True)
    currency_label = page.split('for="currency"')[1].split("</label>")[0]
    assert "*" not in currency_label and "&#42;" not in currency_label
    assert (
        "empty means the customer&#39;s currency" in page
        or "empty means the customer's currency" in page
    )
    # ISO dates in every browser language: the picker, not the browser's type="date".
    for name in ("issue_date", "due_date"):
        field = re.search(rf'<input[^>]*id="{name}"[^>]*>', page).group(0)
        assert 'data-role="datepicker"' in field and 'data-date-format="YYYY-MM-DD"' in field
    assert 'type="date"' not in page

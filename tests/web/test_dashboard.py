"""The dashboard: the reports' own figures, for every role, as much as the role may see."""

import html
import re
from datetime import date

import pytest

from tests import factories

from .test_reports import screen_rows


def figure(page: str, name: str) -> str:
    """The text of a dashboard figure, as a person reads it."""
    match = re.search(rf'data-figure="{name}">(.*?)</(?:td|p)>', page, re.S)
    assert match, f"no figure {name}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def amount(text: str) -> str:
    """'€1,234.50 overdue' -> '1234.50'; '¥5,279' -> '5279'."""
    return re.search(r"-?[\d,]+(?:\.\d+)?", text).group(0).replace(",", "")


@pytest.fixture
def world(db_session, users, company):
    made = factories.make_quarter_of_business(db_session, users["finance"], company)
    db_session.commit()
    return made


def test_dashboard_figures_equal_the_reports(client_as, world):
    client = client_as("manager")
    board = client.get("/admin/?month=2026-03").get_data(as_text=True)
    aging = screen_rows(client.get("/admin/reports/aging").get_data(as_text=True))
    totals = {row[1]: row for row in aging if row[0] == "Total"}
    assert set(totals) == {"EUR", "JPY", "USD"}
    for currency, row in totals.items():
        assert amount(figure(board, f"outstanding-{currency}")) == row[7].replace(",", "")
        overdue = sum(float(cell.replace(",", "")) for cell in row[3:7])
        assert float(amount(figure(board, f"overdue-{currency}"))) == pytest.approx(overdue)

    revenue = screen_rows(
        client.get("/admin/reports/revenue?start=2026-02-01&end=2026-03-31").get_data(as_text=True)
    )
    february, march = revenue[1], revenue[2]
    assert amount(figure(board, "invoiced-this")) == march[2].replace(",", "")
    assert amount(figure(board, "invoiced-last")) == february[2].replace(",", "")
    assert amount(figure(board, "credited-this")) == march[4].replace(",", "")
    payments = screen_rows(
        client.get("/admin/reports/payments?start=2026-03-01&end=2026-03-31").get_data(as_text=True)
    )
    assert amount(figure(board, "collected-this")) == payments[-1][5].replace(",", "")
    assert board.count("data:image/svg+xml;base64,") == 2  # revenue and aging charts


def test_support_sees_what_is_owed_but_no_revenue(client_as, world):
    board = client_as("support").get("/admin/?month=2026-03")
    page = board.get_data(as_text=True)
    assert board.status_code == 200
    assert figure(page, "outstanding-EUR").startswith("€")
    assert "Acme Inc" in page  # top overdue customers, to chase
    assert 'data-figure="invoiced-this"' not in page and "Net revenue" not in page


def test_outstanding_links_to_the_open_invoices_in_that_currency(client_as, world):
    client = client_as("finance")
    board = client.get("/admin/").get_data(as_text=True)
    href = re.search(r'data-figure="outstanding-USD"><a href="([^"]+)"', board).group(1)
    listing = client.get(html.unescape(href)).get_data(as_text=True)
    usd, others = world["invoices"][1], [world["invoices"][0], world["invoices"][2]]
    assert usd.reference in listing
    assert not any(invoice.reference in listing for invoice in others)


def test_failed_emails_are_counted_for_the_users_companies(client_as, world, db_session, company):
    from models import EmailMessage

    for status in ("failed", "sent"):
        db_session.add(
            EmailMessage(
                company_id=company.id,
                invoice_id=world["invoices"][0].id,
                purpose="invoice",
                unique_key=f"test:{status}",
                recipients="a@example.com",
                subject="Invoice",
                body_text="",
                body_html="",
                status=status,
            )
        )
    db_session.commit()
    page = client_as("support").get("/admin/").get_data(as_text=True)
    assert figure(page, "failed-emails") == "1 failed email"


@pytest.mark.parametrize("month", ["2026-13", "March", "1999-12", f"{date.today().year + 1}-01"])
def test_a_month_typed_wrong_gets_a_message(client_as, world, month):
    response = client_as("finance").get(f"/admin/?month={month}")
    assert response.status_code == 400
    assert "Month:" in html.unescape(response.get_data(as_text=True))


def test_records_not_synced_are_counted_for_the_users_companies(
    client_as, world, db_session, company, other_company
):
    from models import SyncRecord

    invoice = world["invoices"][0]
    for owner, status, kind in (
        (company, "failed", "invoice"),
        (company, "conflict", "customer"),
        (company, "synced", "payment"),
        (other_company, "failed", "invoice"),
    ):
        db_session.add(
            SyncRecord(
                company_id=owner.id,
                provider="xero",
                record_type=kind,
                record_id=invoice.id,
                status=status,
            )
        )
    db_session.commit()
    page = client_as("finance").get("/admin/").get_data(as_text=True)
    assert figure(page, "failed-syncs") == "2 records not synced to accounting"
    assert 'href="/admin/sync/"' in page

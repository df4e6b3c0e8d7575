"""A manager reads the reports in a real browser: charts drawn, figures link to invoices.

Screenshots of every report land in build/screenshots/ (test artifacts, to look at).
"""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from models import Role
from tests import factories

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
Q1 = "start=2026-01-01&end=2026-03-31"


@pytest.fixture
def manager_world(committed_engine):
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        finance = factories.make_user(session, Role.FINANCE, companies=[company])
        factories.make_user(session, Role.MANAGER, companies=[company], email="boss@example.com")
        made = factories.make_quarter_of_business(session, finance, company)
        references = [invoice.reference for invoice in made["invoices"]]
        session.commit()
    return references


@pytest.mark.parametrize("name", ["aging", "revenue", "tax", "payments", "customers", "dso"])
def test_manager_sees_each_report_with_its_chart(manager_world, live_server, page, name):
    sign_in(page, live_server, "boss@example.com")
    page.goto(f"{live_server}/admin/reports/{name}?{Q1}")
    page.wait_for_selector("#report-table tfoot, #report-table tbody tr")
    chart = page.query_selector("img[alt$='table below']")
    if chart is not None:  # the tax report is a table only
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", chart)
    page.screenshot(path=str(SCREENSHOTS / f"report-{name}.png"), full_page=True)


def test_an_aging_figure_opens_the_invoices_behind_it(manager_world, live_server, page):
    sign_in(page, live_server, "boss@example.com")
    page.goto(f"{live_server}/admin/reports/aging")
    page.click("#report-table tbody tr:has-text('Kaisha KK') td:nth-child(8) a")
    page.wait_for_url("**/admin/invoice/**")
    listed = page.inner_text("body")
    jpy_invoice = manager_world[2]
    assert jpy_invoice in listed
    assert not any(reference in listed for reference in manager_world if reference != jpy_invoice)


@pytest.mark.parametrize("role", ["manager", "support"])
def test_the_dashboard_draws_its_charts_for_each_role(committed_engine, live_server, page, role):
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        finance = factories.make_user(session, Role.FINANCE, companies=[company])
        factories.make_user(session, role, companies=[company], email="someone@example.com")
        factories.make_quarter_of_business(session, finance, company)
        session.commit()
    sign_in(page, live_server, "someone@example.com")
    page.goto(f"{live_server}/admin/?month=2026-03")
    images = page.query_selector_all("img[src^='data:image/svg+xml']")
    assert len(images) == (2 if role == "manager" else 1)
    assert all(page.evaluate("(img) => img.naturalWidth > 0", image) for image in images)
    if role == "manager":
        # The dashboard shows the aging report's own totals.
        outstanding = page.inner_text("[data-figure=outstanding-EUR]")
        page.goto(f"{live_server}/admin/reports/aging")
        total = page.inner_text("#report-table tfoot tr:has-text('EUR') td:nth-child(8)")
        assert outstanding == f"€{total}"
        page.goto(f"{live_server}/admin/?month=2026-03")
    else:
        refused = page.goto(f"{live_server}/admin/reports/revenue?format=csv")
        assert refused.status == 403
        page.goto(f"{live_server}/admin/?month=2026-03")
    page.click("#outstanding a:has-text('overdue') >> nth=0")
    page.wait_for_url("**/admin/invoice/**")
    assert "INV-" in page.inner_text("body")
    page.go_back()
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{role}.png"), full_page=True)


def test_dates_show_and_pick_as_iso_whatever_the_browser_language(manager_world, live_server, page):
    # An American browser shows <input type="date"> as 01/15/2026; ours stay 2026-01-15.
    page.context.set_extra_http_headers({"Accept-Language": "en-US"})
    sign_in(page, live_server, "boss@example.com")
    page.goto(f"{live_server}/admin/reports/revenue?{Q1}")
    start = page.locator("#start")
    assert start.input_value() == "2026-01-01"
    start.click()
    page.screenshot(path=str(SCREENSHOTS / "report-date-picker.png"))
    page.locator(".daterangepicker td.available:not(.off)", has_text="15").first.click()
    assert start.input_value() == "2026-01-15"
    page.click("button:has-text('Show')")
    page.wait_for_url("**start=2026-01-15**")
    assert page.locator("#start").input_value() == "2026-01-15"

"""The report screens: who may open them, what they show, their exports and their links."""

import csv
import html
import io
import re

import pytest

from models import Role
from tests import factories

REPORTS = ("aging", "revenue", "tax", "payments", "customers", "dso")
CELL = re.compile(r"(?s)<t[dh][^>]*>(.*?)</t[dh]>")
ROW = re.compile(r"(?s)<tr>(.*?)</tr>")
Q1 = "start=2026-01-01&end=2026-03-31"


@pytest.fixture
def world(db_session, users, company):
    made = factories.make_quarter_of_business(db_session, users["finance"], company)
    db_session.commit()
    return made


def screen_rows(page: str) -> list[list[str]]:
    """The report table as a person reads it: header, rows and totals, text only."""
    table = page.split('id="report-table"', 1)[1].split("</table>", 1)[0]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in CELL.findall(row)]
        for row in ROW.findall(table)
    ]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def same_figure(shown: str, exported: str) -> bool:
    """A screen figure has thousands commas and spaces; the CSV neutralises formulas."""
    return shown.replace(",", "").replace("_", " ") == exported.removeprefix("'").replace("_", " ")


@pytest.mark.parametrize("name", REPORTS)
def test_each_report_csv_equals_its_screen(client_as, world, name):
    client = client_as("finance")
    page = client.get(f"/admin/reports/{name}?{Q1}")
    assert page.status_code == 200
    exported = client.get(f"/admin/reports/{name}?{Q1}&format=csv")
    assert exported.headers["Content-Disposition"].startswith("attachment")

    shown, rows = (
        screen_rows(page.get_data(as_text=True)),
        csv_rows(exported.get_data(as_text=True)),
    )
    assert len(shown) == len(rows) > 1
    for screen_row, csv_row in zip(shown, rows, strict=True):
        assert len(screen_row) == len(csv_row)
        assert all(map(same_figure, screen_row, csv_row)), (screen_row, csv_row)


def test_revenue_screen_shows_the_quarter_net_of_credit_notes(client_as, world):
    page = client_as("manager").get("/admin/reports/revenue?start=2026-01-01&end=2026-03-31")
    rows = screen_rows(page.get_data(as_text=True))
    assert [row[0] for row in rows] == ["Period", "2026-01", "2026-02", "2026-03", "Total"]
    assert "data:image/svg+xml;base64," in page.get_data(as_text=True)  # the chart, inline
    march = world["invoices"][3:]  # both in EUR, the base currency
    assert rows[3][1:4] == ["2", f"{sum(i.net_amount for i in march):,.2f}", "2"]


@pytest.mark.parametrize("suffix", ["", "?format=csv", "?format=xlsx", "?company=1&period=x"])
@pytest.mark.parametrize("name", REPORTS)
def test_support_is_refused_every_report_url(client_as, world, name, suffix):
    response = client_as("support").get(f"/admin/reports/{name}{suffix}")
    assert response.status_code == 403
    assert "Net revenue" not in response.get_data(as_text=True)


def test_support_is_refused_the_reports_index_and_sees_no_menu_entry(client_as, world):
    client = client_as(Role.SUPPORT.value)
    assert client.get("/admin/reports/").status_code == 403
    assert "/admin/reports/" not in client.get("/admin/").get_data(as_text=True)
    assert "/admin/reports/" in client_as("manager").get("/admin/").get_data(as_text=True)


def test_a_company_not_granted_is_refused(client_as, world, other_company):
    response = client_as("finance").get(f"/admin/reports/aging?company={other_company.id}")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=31.03.2026&end=2026-04-30", "use a date like 2026-03-31"),
        ("start=2026-04-30&end=2026-04-01", "ends before it starts"),
        ("period=next_decade", "Unknown period"),
        ("company=abc", "not one of the listed companies"),
        ("grain=week", "month or quarter"),
        ("format=pdf", "Export as csv or xlsx"),
        ("start=2000-01-01&end=9998-12-31", "Choose a shorter period"),
    ],
)
def test_bad_filters_get_a_message(client_as, world, query, message):
    response = client_as("finance").get(f"/admin/reports/revenue?{query}")
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


def test_xlsx_export_is_a_workbook(client_as, world):
    response = client_as("finance").get("/admin/reports/tax?format=xlsx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK" and b"xl/worksheets/sheet1.xml" in response.data


def test_aging_total_links_to_exactly_the_open_invoices_behind_it(client_as, world):
    client = client_as("finance")
    page = client.get("/admin/reports/aging").get_data(as_text=True)
    footer = page.split("<tfoot", 1)[1]
    eur_total = re.search(
        r"<td[^>]*>EUR</td>(?:\s*<td[^>]*>.*?</td>){5}\s*<td[^>]*><a href=\"([^\"]+)\"",
        footer,
        re.S,
    )
    listing = client.get(html.unescape(eur_total.group(1))).get_data(as_text=True)
    open_eur = [i for i in world["invoices"] if i.currency == "EUR" and i.balance_amount > 0]
    closed = [i for i in world["invoices"] if i.currency != "EUR" or i.balance_amount <= 0]
    assert open_eur and all(i.reference in listing for i in open_eur)
    assert not any(i.reference in listing for i in closed)


def test_figures_are_kept_for_a_while_and_shared_with_the_dashboard(
    app, client_as, world, db_session, users, company, monkeypatch
):
    from datetime import date

    from backoffice.admin.reports.cache import PREFIX
    from backoffice.services.payments import ledger

    monkeypatch.setitem(app.config, "REPORT_CACHE_SECONDS", 60)
    redis = app.extensions["dispatcher"].connection
    client = client_as("finance")
    try:
        before = screen_rows(client.get("/admin/reports/aging").get_data(as_text=True))
        usd = db_session.merge(world["invoices"][1])
        ledger.record_payment(db_session, users["finance"], usd, "100.00", date(2026, 4, 1))
        db_session.commit()
        # Within REPORT_CACHE_SECONDS the payment does not show yet, on either screen.
        after = screen_rows(client.get("/admin/reports/aging").get_data(as_text=True))
        assert after == before
        board = client.get("/admin/").get_data(as_text=True)
        usd_total = next(row for row in before if row[:2] == ["Total", "USD"])
        assert 'data-figure="outstanding-USD"><a href=' in board
        assert f"${usd_total[7]}<" in board
        # The cache is shared, but opening it is still refused to whoever may not.
        assert client_as("support").get("/admin/reports/aging").status_code == 403
    finally:
        for key in redis.scan_iter(f"{PREFIX}*:{company.id}:*"):
            redis.delete(key)


def test_reports_are_computed_when_redis_is_away(app, client_as, world, monkeypatch):
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    monkeypatch.setitem(app.config, "REPORT_CACHE_SECONDS", 60)
    # Refused at once; without retries and their backoff the test takes no half minute.
    nowhere = Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    monkeypatch.setattr(app.extensions["dispatcher"], "connection", nowhere)
    page = client_as("finance").get(f"/admin/reports/revenue?{Q1}")
    assert page.status_code == 200
    assert screen_rows(page.get_data(as_text=True))[-1][0] == "Total"
    board = client_as("finance").get("/admin/")
    assert "Job queue unreachable" in board.get_data(as_text=True)


def _links(cell_html: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', cell_html)]


def test_each_tax_rate_row_drills_down_to_the_documents_at_that_rate(client_as, world):
    client = client_as("finance")
    page = client.get(f"/admin/reports/tax?{Q1}&grain=quarter").get_data(as_text=True)
    table = page.split('id="report-table"', 1)[1].split("<tfoot", 1)[0]
    for row in ROW.findall(table):
        cells = CELL.findall(row)
        if len(cells) < 4 or not _links(cells[3]):
            continue
        rate = re.sub(r"<[^>]+>", "", cells[1]).strip()
        listing = client.get(_links(cells[3])[0]).get_data(as_text=True)
        for invoice in world["invoices"]:
            at_rate = any(f"{t.percentage.normalize():f}" == rate for t in invoice.tax_totals)
            assert (invoice.reference in listing) == at_rate, (rate, invoice.reference)


def test_tax_rate_filter_refuses_what_is_not_a_rate(client_as, world):
    client = client_as("finance")
    report = client.get(f"/admin/reports/tax?{Q1}&grain=quarter").get_data(as_text=True)
    link = next(href for href in _links(report) if re.search(r"=[0-9.]+(\+|%20)S$", href))
    damaged = re.sub(r"=[0-9.]+(\+|%20)S$", "=1e9999999+S", link)
    assert damaged != link
    page = client.get(damaged)
    assert page.status_code == 200  # the filter is left out: the list shows every invoice
    assert all(i.reference in page.get_data(as_text=True) for i in world["invoices"])


def test_aging_pages_reach_every_open_balance(client_as, world, monkeypatch):
    from backoffice.services.reports import aging

    monkeypatch.setattr(aging, "PAGE_SIZE", 1)
    client = client_as("finance")
    owing = {i.customer.name for i in world["invoices"] if i.balance_amount > 0}
    seen, url = [], "/admin/reports/aging"
    while url:
        page = client.get(url).get_data(as_text=True)
        rows = screen_rows(page)[1:]
        seen += [row[0] for row in rows if row[0] != "Total"]
        pages = page.split('id="report-pages"', 1)[1].split("</ul>", 1)[0]
        following = re.search(
            r'<li class="page-item ">\s*<a class="page-link" href="([^"]+)">Next', pages
        )
        url = html.unescape(following.group(1)) if following else None
    assert len(owing) > 1 and sorted(seen) == sorted(owing)
    exported = csv_rows(client.get("/admin/reports/aging?format=csv").get_data(as_text=True))
    names = [row[0].removeprefix("'") for row in exported[1:] if row[0] != "Total"]
    assert sorted(names) == sorted(owing)  # every customer, the formula neutralised

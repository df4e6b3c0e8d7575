"""Draft saving benchmark: a 500-line draft saved through the admin form, as a browser posts it.

    .venv/bin/python -m bench.draft_save                  # 500 lines, 200 products, 3 rounds
    .venv/bin/python -m bench.draft_save --lines 300 --products 2000 --rounds 5 --keep

Setup (not timed), in the database `backoffice_bench_drafts`: a company with --products
products, a customer, three tax rates and a finance clerk, who signs in through the login form.

Timed, per round, with Flask's test client on the real app and PostgreSQL (no HTTP server:
what is measured is the app's own work, which gunicorn's 30 s timeout bounds):

1. create: the new-invoice form is fetched (for its CSRF token) and posted with --lines
   lines, as the inline line forms name them (`lines-<n>-description`, ...);
2. edit: the saved draft's edit form is fetched, every field read as a browser would send it
   (the lines' ids, the version the editor saw), one quantity changed, and posted back.

Each POST must answer with the redirect of a successful save, and the draft must then hold
--lines lines with the changed total. Then a draft of --too-many lines (2,000) is posted and
must be refused with the size limit's message, nothing saved. Reported: each round's time per
POST and the best and median over the rounds; the target is under 2 s for 500 lines.

The database is dropped and created at the start and dropped at the end unless --keep.
"""

import argparse
import statistics
import time
from dataclasses import dataclass
from html.parser import HTMLParser

from flask.testing import FlaskClient
from sqlalchemy import func, select

from bench.pdf import RATES, app_session, create_database, database_url, drop_database, make_app
from models import Invoice, InvoiceLine, Role
from tests import factories

DATABASE_NAME = "backoffice_bench_drafts"
TARGET_SECONDS = 2.0


@dataclass
class World:
    email: str
    customer_id: int
    rate_ids: list[int]
    product_ids: list[int]


def seed(app, products: int) -> World:
    """A company with a product catalogue, a customer, tax rates and a finance clerk."""
    with app_session(app) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        customer = factories.make_customer(session, company, name="Łódź Zürich GmbH")
        user = factories.make_user(session, Role.FINANCE, companies=[company])
        rates = [
            factories.make_tax_rate(session, percentage, category=category.value)
            for percentage, category in RATES.values()
        ]
        catalogue = [
            factories.make_product(session, company, name=f"Product {n:05d}", code=f"P{n:05d}")
            for n in range(products)
        ]
        session.commit()
        return World(user.email, customer.id, [r.id for r in rates], [p.id for p in catalogue[:20]])


class FormReader(HTMLParser):
    """The fields of a page's form as a browser submits them (inputs, selected options,
    textareas; unchecked boxes left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and ("selected" in a):
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def read_form(client: FlaskClient, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    reader = FormReader()
    reader.feed(page.get_data(as_text=True))
    return reader.fields


def line_fields(world: World, count: int) -> dict[str, str]:
    """count lines as the inline forms name them; some pick a product, as people do."""
    fields = {}
    for n in range(count):
        product = world.product_ids[n % len(world.product_ids)] if n % 4 == 0 else "__None"
        fields |= {
            f"lines-{n}-product": str(product),
            f"lines-{n}-description": f"Consulting, week {n + 1}: architecture review",
            f"lines-{n}-quantity": str(1 + n % 7),
            f"lines-{n}-unit": "h",
            f"lines-{n}-unit_price": f"{95 + n % 30}.50",
            f"lines-{n}-discount_percent": "5" if n % 10 == 0 else "0",
            f"lines-{n}-tax_rate": str(world.rate_ids[n % len(world.rate_ids)]),
        }
    return fields


def timed_post(client: FlaskClient, path: str, data: dict[str, str]):
    started = time.perf_counter()
    response = client.post(path, data=data)
    return response, time.perf_counter() - started


def create(client: FlaskClient, world: World, lines: int) -> tuple[int, float]:
    """Post a new draft with lines; return its id and the time the POST took."""
    form = read_form(client, "/admin/invoice/new/")
    form |= {"customer": str(world.customer_id), "notes": "Thank you."} | line_fields(world, lines)
    response, seconds = timed_post(client, "/admin/invoice/new/", form)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with app_session(client.application) as session:
        invoice_id = session.scalar(select(func.max(Invoice.id)))
    return invoice_id, seconds


def edit(client: FlaskClient, invoice_id: int) -> float:
    """Open the draft, change one quantity, save every line back; return the POST's time."""
    path = f"/admin/invoice/edit/?id={invoice_id}"
    form = read_form(client, path)
    form["lines-0-quantity"] = "42"
    response, seconds = timed_post(client, path, form)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return seconds


def line_count(app, invoice_id: int) -> int:
    with app_session(app) as session:
        return session.scalar(
            select(func.count())
            .select_from(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
        )


def refused(client: FlaskClient, world: World, lines: int) -> str:
    """Post a draft with too many lines; return the message shown, checking nothing saved."""
    with app_session(client.application) as session:
        before = session.scalar(select(func.count()).select_from(Invoice))
    form = read_form(client, "/admin/invoice/new/")
    form |= {"customer": str(world.customer_id)} | line_fields(world, lines)
    response, seconds = timed_post(client, "/admin/invoice/new/", form)
    page = response.get_data(as_text=True)
    with app_session(client.application) as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == before
    assert response.status_code == 200 and f"at most 500 lines ({lines} given)" in page
    return f"refused in {seconds:.2f} s: 'An invoice has at most 500 lines ({lines} given) ...'"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--too-many", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    create_database(DATABASE_NAME)
    app = make_app({"DATABASE_URL": database_url(DATABASE_NAME)})
    try:
        world = seed(app, args.products)
        client = app.test_client()
        login = read_form(client, "/login") | {"email": world.email}
        login["password"] = factories.DEFAULT_PASSWORD
        assert client.post("/login", data=login).status_code == 302
        report(client, world, args)
    finally:
        if not args.keep:
            drop_database(DATABASE_NAME)


def report(client: FlaskClient, world: World, args: argparse.Namespace) -> None:
    times: dict[str, list[float]] = {"create": [], "edit": []}
    for round_number in range(1, args.rounds + 1):
        invoice_id, created = create(client, world, args.lines)
        edited = edit(client, invoice_id)
        assert line_count(client.application, invoice_id) == args.lines
        times["create"].append(created)
        times["edit"].append(edited)
        print(f"round {round_number}: create {created:.2f} s, edit {edited:.2f} s")
    for name, values in times.items():
        best, median = min(values), statistics.median(values)
        verdict = "met" if median < TARGET_SECONDS else "missed"
        print(
            f"{name} ({args.lines} lines, {args.products} products): best {best:.2f} s, "
            f"median {median:.2f} s; target < {TARGET_SECONDS:g} s: {verdict}"
        )
    print(f"{args.too_many} lines: {refused(client, world, args.too_many)}")


if __name__ == "__main__":
    main()

"""A draft's edit and details pages cost the same number of queries however many lines it has: the
pickers' choices load once per form, never once per line."""

import pytest
from sqlalchemy import event

from backoffice.extensions import db
from tests import factories


def statements_for(app, client, url: str) -> int:
    """The statements one request for url runs: the fewest of three, because the session
    store purges expired sessions once in about a thousand requests, at random (a DELETE and
    its commit, 3 statements here), which has nothing to do with the page."""
    count = 0

    def counted(*args) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    assert client.get(url).status_code == 200  # the session and its CSRF token exist now
    counts = []
    event.listen(engine, "before_cursor_execute", counted)
    try:
        for _ in range(3):
            count = 0
            assert client.get(url).status_code == 200
            counts.append(count)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return min(counts)


def draft_with(db_session, company, customer, vat19, lines: int):
    products = [factories.make_product(db_session, company, tax_rate=vat19) for _ in range(lines)]
    clerk = factories.make_user(db_session, companies=[company])
    inputs = [
        factories.line(vat19, product_id=product.id, description=f"Line {n}")
        for n, product in enumerate(products)
    ]
    draft = factories.make_draft(db_session, clerk, customer, inputs)
    db_session.commit()
    return draft


@pytest.mark.parametrize("page", ["edit", "details"])
def test_the_invoice_pages_do_not_query_per_line(
    app, client_as, db_session, company, customer, vat19, page
):
    factories.make_tax_rate(db_session, "7")
    small = draft_with(db_session, company, customer, vat19, 10)
    large = draft_with(db_session, company, customer, vat19, 40)
    client = client_as("finance")
    few = statements_for(app, client, f"/admin/invoice/{page}/?id={small.id}")
    many = statements_for(app, client, f"/admin/invoice/{page}/?id={large.id}")
    assert many == few, f"{few} statements for 10 lines, {many} for 40"

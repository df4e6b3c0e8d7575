"""The invoice list's bulk actions and the run page: who may start, see and cancel a run."""

import pytest
from sqlalchemy import func, select

from models import BulkRun, BulkRunItem, Role
from tests import factories

from .conftest import FAST_HASH, csrf_token, login, messages


def start(client, action: str, ids):
    token = csrf_token(client, "/admin/invoice/")
    return client.post(
        "/admin/invoice/action/",
        data={"action": action, "rowid": [str(i) for i in ids], "csrf_token": token},
    )


def runs(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(BulkRun))


@pytest.fixture
def drafts(db_session, users, customer, vat19):
    made = [
        factories.make_draft(db_session, users["finance"], customer, [factories.line(vat19)])
        for _ in range(3)
    ]
    db_session.commit()
    return made


def test_finance_issues_selected_drafts_in_a_run_and_lands_on_its_page(
    client_as, db_session, drafts
):
    client = client_as("finance")
    listing = client.get("/admin/invoice/").get_data(as_text=True)
    assert "Issue selected drafts" in listing and "Send all issued but unsent" in listing

    response = start(client, "bulk_issue", [d.id for d in reversed(drafts)])

    run = db_session.scalars(select(BulkRun)).one()
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/bulkrun/details/?id={run.id}")
    items = db_session.scalars(select(BulkRunItem).order_by(BulkRunItem.position)).all()
    assert [item.invoice_id for item in items] == [d.id for d in drafts]  # draft order
    page = client.get(response.location).get_data(as_text=True)
    assert "Issue drafts: 3 invoices of" in page and "Waiting for a worker to start." in page
    assert 'id="run-cancel"' in page and "bulk_run.js" in page
    state = client.get(f"/admin/bulkrun/progress/{run.id}").get_json()
    assert (state["done"], state["failed"], state["left"], state["active"]) == (0, 0, 3, True)

    token = csrf_token(client, response.location)
    cancelled = client.post(f"/admin/bulkrun/cancel/{run.id}", data={"csrf_token": token})
    page = client.get(cancelled.location).get_data(as_text=True)
    assert "Cancelled by Finance User: 0 of 3 issued; 3 left as they were." in page


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.MANAGER])
def test_support_and_managers_may_not_start_or_see_runs(client_as, db_session, drafts, role):
    client = client_as(role.value)
    listing = client.get("/admin/invoice/").get_data(as_text=True)
    assert "Issue selected drafts" not in listing and "Send all issued but unsent" not in listing

    for action in ("bulk_issue", "bulk_send", "bulk_zip", "delete"):
        assert start(client, action, [d.id for d in drafts]).status_code == 403
    token = csrf_token(client, "/admin/invoice/")
    assert client.post("/admin/invoice/send-unsent/", data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/bulkrun/").status_code == 403
    assert runs(db_session) == 0


def test_runs_stay_inside_the_users_companies(app, client_as, db_session, users, drafts):
    other = factories.make_company(db_session)
    stranger = factories.make_user(
        db_session, Role.FINANCE, companies=[other], password_hash=FAST_HASH
    )
    theirs = factories.make_draft(
        db_session, stranger, factories.make_customer(db_session, other), None
    )
    db_session.commit()
    client = client_as("finance")

    # Another company's invoice smuggled into the selection: nothing starts.
    response = start(client, "bulk_issue", [drafts[0].id, theirs.id])
    page = client.get(response.location).get_data(as_text=True)
    assert "1 of the selected invoices do not exist or are not yours to act on" in messages(page)
    assert runs(db_session) == 0

    start(client, "bulk_issue", [drafts[0].id])
    mine = db_session.scalars(select(BulkRun)).one()
    outsider = app.test_client()
    assert login(outsider, stranger.email).status_code == 302
    assert outsider.get(f"/admin/bulkrun/progress/{mine.id}").status_code == 404
    details = outsider.get(f"/admin/bulkrun/details/?id={mine.id}")
    assert details.status_code == 302 and "details" not in details.location
    token = csrf_token(outsider, "/admin/invoice/")
    outsider.post(f"/admin/bulkrun/cancel/{mine.id}", data={"csrf_token": token})
    assert f"Run {mine.id}</a>" not in outsider.get("/admin/bulkrun/").get_data(as_text=True)
    assert f"Run {mine.id}</a>" in client.get("/admin/bulkrun/").get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(BulkRun, mine.id).cancel_requested_at is None


def test_send_all_unsent_starts_nothing_when_everything_was_emailed(client_as, db_session):
    client = client_as("finance")
    token = csrf_token(client, "/admin/invoice/")
    response = client.post("/admin/invoice/send-unsent/", data={"csrf_token": token})
    assert "has been emailed already" in messages(client.get(response.location).get_data(True))
    assert runs(db_session) == 0

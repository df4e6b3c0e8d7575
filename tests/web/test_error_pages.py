"""Errors are pages inside the admin layout that say why and offer a way back; scripts get JSON."""

import re
from html import unescape

import pytest


def lead(page: str) -> str:
    return unescape(re.search(r'(?s)<p class="lead">(.*?)</p>', page).group(1)).strip()


def test_a_manager_refused_a_change_reads_why_and_gets_a_way_back(client_as):
    manager = client_as("manager")
    response = manager.get(
        "/admin/customer/new/", headers={"Referer": "http://localhost/admin/customer/"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert lead(page) == (
        "Managers can read every record, the reports and the dashboard, and approve credit "
        "notes, but cannot change records. Changing customers is for the admin, finance or "
        "support role. Ask an admin if you need it."
    )
    assert '<a class="btn btn-primary mr-2" href="/admin/customer/">Back to the previous page' in (
        page
    )
    # The admin layout: the menu and the signed-in user, not a bare page.
    assert 'id="global-search"' in page and "manager@test.example" in page


def test_a_refused_screen_names_the_roles_that_may(client_as):
    page = client_as("support").get("/admin/user/").get_data(as_text=True)
    assert "Managing users, companies and settings is for the admin role." in lead(page)


def test_a_refused_invoice_action_names_it(client_as, db_session, users, customer, vat19):
    from tests import factories
    from tests.web.conftest import csrf_token

    invoice = factories.make_issued_invoice(
        db_session, users["finance"], customer, [factories.line(vat19)]
    )
    db_session.commit()
    manager = client_as("manager")
    response = manager.post(
        f"/admin/invoice/void/{invoice.id}",
        data={
            "csrf_token": csrf_token(manager, "/admin/account/"),
            "version": str(invoice.version),
        },
    )
    assert response.status_code == 403
    assert "Voiding invoices is for the admin or finance role." in lead(
        response.get_data(as_text=True)
    )


def test_a_page_from_elsewhere_is_not_offered_as_the_way_back(client_as):
    page = client_as("manager").get(
        "/admin/customer/new/", headers={"Referer": "https://evil.example/admin/customer/"}
    )
    html = page.get_data(as_text=True)
    assert "evil.example" not in html and "Back to the previous page" not in html
    assert 'href="/admin/">Start page</a>' in html


def test_not_found_is_a_page_in_the_layout(client_as):
    response = client_as("finance").get("/admin/no-such-screen/")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert lead(page) == "That page or record does not exist, or is not yours to see."
    assert 'id="global-search"' in page


@pytest.mark.parametrize("path", ["/admin/no-such-screen/", "/admin/user/"])
def test_a_script_asking_for_json_gets_json(client_as, path):
    response = client_as("support").get(path, headers={"Accept": "application/json"})
    assert response.status_code in (403, 404) and response.is_json
    body = response.get_json()
    assert body["error"] in ("Not allowed", "Not found") and body["message"]


def test_a_crash_is_a_friendly_page_with_a_reference(app, client_as, monkeypatch):
    def crash():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "admin.index", crash)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    client = client_as("finance")
    response = client.get("/admin/", headers={"X-Request-ID": "help-500"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and "reference help-500" in page
    assert "boom" not in page


def test_a_crash_in_a_broken_transaction_still_gets_the_layout(
    app, client_as, monkeypatch, db_session
):
    from sqlalchemy import text

    from backoffice.extensions import db

    def crash():
        db.session.execute(text("SELECT 1/0"))  # the transaction is now aborted

    monkeypatch.setitem(app.view_functions, "admin.index", crash)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client_as("finance").get("/admin/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert 'id="error-page"' in page and "finance@test.example" in page


def test_a_stranger_gets_the_page_too_with_a_way_to_sign_in(app):
    client = app.test_client()
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Not found" in missing.get_data(as_text=True)
    assert 'id="error-page"' in missing.get_data(as_text=True)  # in the layout
    refused = client.get("/admin/invoice/delivery/1")  # the page's script, session ended
    page = refused.get_data(as_text=True)
    assert refused.status_code == 401
    assert 'id="error-page"' in page and 'href="/login">Sign in</a>' in page

"""Ids out of range and NUL bytes get a 404, never a server error; every redirect stays here."""

import pytest

from .conftest import csrf_token

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/customer/details/?id={HUGE}",
        f"/admin/invoice/edit/?id={HUGE}",
        "/admin/invoice/details/?id=-5",
        "/admin/invoice/pdf/99999999999",
        "/admin/invoice/einvoice/ubl/99999999999",
        "/admin/invoice/?search=%00",
        "/admin/invoice/?flt0_0=%00",
        "/admin/customer/?search=abc%00def",
        "/admin/auditevent/?flt0_0=%00",
    ],
)
def test_hostile_reads_are_not_found(client_as, path):
    response = client_as("finance").get(path)
    assert response.status_code in (302, 404), response.status_code
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/admin/")


@pytest.mark.parametrize("action", ["issue", "void", "credit", "pay", "send", "resend"])
def test_hostile_actions_are_not_found(client_as, action):
    client = client_as("finance")
    token = csrf_token(client, "/admin/account/")
    response = client.post(
        f"/admin/invoice/{action}/99999999999", data={"csrf_token": token, "version": "1"}
    )
    assert response.status_code in (302, 404)


def test_a_nul_byte_in_a_form_is_refused(client_as):
    client = client_as("finance")
    token = csrf_token(client, "/admin/customer/new/")
    response = client.post(
        "/admin/customer/new/", data={"csrf_token": token, "name": "Evil\x00Corp"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "code", "title"),
    [("/admin/user/", 403, "Not allowed"), ("/admin/nothing-here/", 404, "Not found")],
)
def test_errors_are_pages_with_the_navigation(client_as, path, code, title):
    response = client_as("support").get(path, headers={"X-Request-ID": "help-123"})
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert f'<h1 class="h3 mb-3">{title}</h1>' in page
    assert 'href="/admin/invoice/"' in page and "reference help-123" in page


@pytest.mark.parametrize(
    "target",
    [
        "http:evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/x",
        "/a%0D%0Abevil",
    ],
)
def test_a_return_address_off_the_site_is_refused(client_as, customer, target):
    client = client_as("finance")
    for path in (
        f"/admin/customer/details/?id=999999&url={target}",
        f"/admin/customer/details/?id={customer.id}&url={target}",
    ):
        response = client.get(path)
        assert response.status_code == 400
        assert "evil" not in response.headers.get("Location", "")


def test_a_return_address_on_the_site_is_followed(client_as):
    response = client_as("finance").get("/admin/customer/details/?id=999999&url=/admin/invoice/")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/invoice/"


def test_saving_an_edit_form_opened_with_an_off_site_return_address_is_refused(
    client_as, customer, db_session
):
    client = client_as("finance")
    token = csrf_token(client, f"/admin/customer/edit/?id={customer.id}")
    response = client.post(
        f"/admin/customer/edit/?id={customer.id}&url=http:evil.example",
        data={"csrf_token": token, "name": "Renamed"},
    )
    assert response.status_code == 400
    db_session.refresh(customer)
    assert customer.name != "Renamed"

"""Security headers on every kind of response."""

import re

import pytest

from .test_invoice_flow import act, create_draft, latest_invoice

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_secured(response) -> None:
    for header, value in EXPECTED.items():
        assert response.headers.get(header) == value, header
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]{20,}'", csp)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/admin/invoice/",
        "/admin/nothing-here/",
        "/admin/user/",
        "/admin/invoice/?flt0_0=%00",
        "/admin/static/bootstrap/bootstrap4/swatch/cosmo/bootstrap.min.css",
        "/admin/customer/export/csv/",
    ],
)
def test_every_response_kind_carries_the_headers(client_as, customer, path):
    response = client_as("manager").get(path)
    response.close()  # a static file is streamed from disk
    assert_secured(response)


def test_a_pdf_download_carries_the_headers(client_as, customer, vat19, db_session):
    client = client_as("finance")
    create_draft(client, customer, vat19)
    act(client, latest_invoice(db_session), "issue")
    assert_secured(client.get(f"/admin/invoice/pdf/{latest_invoice(db_session).id}"))


def test_inline_scripts_carry_the_nonce_of_their_response(client_as):
    response = client_as("finance").get("/admin/invoice/")
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"])[1]
    page = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline, "the page has inline scripts"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)


def test_hsts_only_over_https(client_as):
    client = client_as("finance")
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://backoffice.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")

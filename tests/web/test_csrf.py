"""CSRF: every state-changing request without a valid token is refused (400) and changes nothing.

Each request is sent by a user whose role allows it, so the only thing missing is the token;
a control test sends the very same request with a valid token and sees it go through.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEvent, Customer, Invoice, InvoiceStatus, Payment
from tests import factories

from .conftest import csrf_token, login, snapshot

TOKEN_MODES = ["missing", "garbage", "other_session", "before_login"]


def events(session: Session, action: str) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


@dataclass
class Request:
    path: str
    data: dict[str, Any]
    # After a valid-token request: did it do its job?
    went_through: Callable[[Session, Any], bool]


def customer_form(company_id: int, name: str) -> dict[str, str]:
    return {
        "company": str(company_id),
        "name": name,
        "address": "Rue 1",
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
        "email": "billing@example.com",
        "vat_id": "",
        "currency": "EUR",
        "payment_terms_days": "30",
        "language": "en",
    }


def invoice_form(
    customer_id: int, tax_rate_id: int, po: str, row: Invoice | None = None
) -> dict[str, str]:
    data = {
        "customer": str(customer_id),
        "currency": "EUR",
        "issue_date": "",
        "due_date": "",
        "po_reference": po,
        "notes": "",
        "terms": "",
        "lines-0-product": "__None",
        "lines-0-description": "Consulting",
        "lines-0-quantity": "1",
        "lines-0-unit": "hour",
        "lines-0-unit_price": "100.00",
        "lines-0-discount_percent": "0",
        "lines-0-tax_rate": str(tax_rate_id),
    }
    if row is not None:
        data["lines-0-id"] = str(row.lines[0].id)
        data["expected_version"] = str(row.version)
    return data


def build(name: str, db: Session, company, customer, vat19, admin) -> Request:
    """The request under test, against fresh rows of `company` (all as admin, who may do it)."""

    def draft():
        return factories.make_draft(db, admin, customer, [factories.line(vat19)])

    def issued():
        return factories.make_issued_invoice(db, admin, customer, [factories.line(vat19)])

    def value(model, row_id, column):
        db.expire_all()
        return db.scalar(select(getattr(model, column)).where(model.id == row_id))

    def gone(model, row_id):
        return db.scalar(select(func.count()).select_from(model).where(model.id == row_id)) == 0

    if name == "customer_create":
        return Request(
            "/admin/customer/new/",
            customer_form(company.id, "CSRF Created Ltd"),
            lambda db, r: (
                db.scalar(select(func.count()).where(Customer.name == "CSRF Created Ltd")) == 1
            ),
        )
    if name == "customer_edit":
        row = factories.make_customer(db, company)
        return Request(
            f"/admin/customer/edit/?id={row.id}",
            customer_form(company.id, "CSRF Renamed Ltd"),
            lambda db, r: value(Customer, row.id, "name") == "CSRF Renamed Ltd",
        )
    if name == "customer_delete":
        row = factories.make_customer(db, company)
        return Request(
            "/admin/customer/delete/", {"id": str(row.id)}, lambda db, r: gone(Customer, row.id)
        )
    if name == "customer_ajax_update":
        # No column is inline-editable, so a valid request gets 404; it must not be CSRF's 400.
        row = factories.make_customer(db, company)
        return Request(
            "/admin/customer/ajax/update/",
            {"list_form_pk": str(row.id), "name": "CSRF Inline Ltd"},
            lambda db, r: r.status_code in (200, 404),
        )
    if name == "customer_action_delete":
        row = factories.make_customer(db, company)
        # The app offers no bulk actions (403 for everyone); the point is that CSRF passed.
        return Request(
            "/admin/customer/action/",
            {"action": "delete", "rowid": str(row.id)},
            lambda db, r: r.status_code == 403 or gone(Customer, row.id),
        )
    if name == "invoice_create":
        return Request(
            "/admin/invoice/new/",
            invoice_form(customer.id, vat19.id, "PO-CSRF-NEW"),
            lambda db, r: (
                db.scalar(select(func.count()).where(Invoice.po_reference == "PO-CSRF-NEW")) == 1
            ),
        )
    if name == "invoice_edit":
        row = draft()
        return Request(
            f"/admin/invoice/edit/?id={row.id}",
            invoice_form(customer.id, vat19.id, "PO-CSRF-EDIT", row),
            lambda db, r: value(Invoice, row.id, "po_reference") == "PO-CSRF-EDIT",
        )
    if name == "invoice_delete":
        row = draft()
        return Request(
            "/admin/invoice/delete/", {"id": str(row.id)}, lambda db, r: gone(Invoice, row.id)
        )
    if name == "invoice_issue":
        row = draft()
        return Request(
            f"/admin/invoice/issue/{row.id}",
            {"version": str(row.version)},
            lambda db, r: value(Invoice, row.id, "status") == InvoiceStatus.ISSUED,
        )
    if name == "invoice_void":
        row = issued()
        return Request(
            f"/admin/invoice/void/{row.id}",
            {"version": str(row.version), "reason": "Wrong customer"},
            lambda db, r: value(Invoice, row.id, "status") == InvoiceStatus.VOID,
        )
    if name == "invoice_credit":
        row = issued()
        return Request(
            f"/admin/invoice/credit/{row.id}",
            {"version": str(row.version), "mode": "full"},
            lambda db, r: (
                db.scalar(select(func.count()).where(Invoice.original_invoice_id == row.id)) == 1
            ),
        )
    if name == "invoice_pay":
        row = issued()
        return Request(
            f"/admin/invoice/pay/{row.id}",
            {
                "version": str(row.version),
                "kind": "payment",
                "amount": "10.00",
                "payment_date": "2026-03-05",
                "method": "cash",
            },
            lambda db, r: db.scalar(select(func.count()).where(Payment.invoice_id == row.id)) == 1,
        )
    if name == "taxrate_create":
        return Request(
            "/admin/taxrate/new/",
            {
                "name": "CSRF 7",
                "percentage": "7",
                "category": "S",
                "country": "DE",
                "is_active": "y",
            },
            lambda db, r: r.status_code == 302,
        )
    raise AssertionError(name)  # pragma: no cover


REQUESTS = [
    "customer_create",
    "customer_edit",
    "customer_delete",
    "customer_ajax_update",
    "customer_action_delete",
    "invoice_create",
    "invoice_edit",
    "invoice_delete",
    "invoice_issue",
    "invoice_void",
    "invoice_credit",
    "invoice_pay",
    "taxrate_create",
]


def bad_token(mode: str, app, client, users, stale: str | None) -> dict[str, str]:
    if mode == "missing":
        return {}
    if mode == "garbage":
        return {"csrf_token": "IjAwMDAi.AAAAAA.not-a-real-signature"}
    if mode == "other_session":
        other = app.test_client()
        assert login(other, users["finance"].email).status_code == 302
        return {"csrf_token": csrf_token(other, "/admin/account/")}
    if mode == "before_login":
        # A token from before sign-in: the session is renewed at login, so it must be dead.
        assert stale
        return {"csrf_token": stale}
    raise AssertionError(mode)  # pragma: no cover


def signed_in(app, users, role="admin"):
    """A client signed in through the form, and the token its login page carried."""
    client = app.test_client()
    stale = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={
            "email": users[role].email,
            "password": factories.DEFAULT_PASSWORD,
            "csrf_token": stale,
        },
    )
    assert response.status_code == 302
    return client, stale


@pytest.mark.parametrize("mode", TOKEN_MODES)
@pytest.mark.parametrize("name", REQUESTS)
def test_request_without_valid_token_is_refused(
    app, users, db_session, company, customer, vat19, name, mode
):
    request = build(name, db_session, company, customer, vat19, users["admin"])
    db_session.commit()
    client, stale = signed_in(app, users)
    data = request.data | bad_token(mode, app, client, users, stale)
    before = snapshot(db_session)

    response = client.post(request.path, data=data)

    assert response.status_code == 400, (
        f"{name} without a valid token answered {response.status_code}"
    )
    assert "CSRF" in response.get_data(as_text=True)
    assert snapshot(db_session) == before


@pytest.mark.parametrize("name", REQUESTS)
def test_same_request_with_a_valid_token_goes_through(
    app, users, db_session, company, customer, vat19, name
):
    """The control: the requests above are valid in every other respect."""
    request = build(name, db_session, company, customer, vat19, users["admin"])
    db_session.commit()
    client, _ = signed_in(app, users)
    response = client.post(
        request.path, data=request.data | {"csrf_token": csrf_token(client, "/admin/account/")}
    )
    assert response.status_code != 400, response.get_data(as_text=True)[:1000]
    assert request.went_through(db_session, response), f"{name} with a valid token did nothing"


@pytest.mark.parametrize("mode", ["missing", "garbage", "other_session"])
def test_login_without_valid_token_is_refused(app, users, db_session, mode):
    client = app.test_client()
    client.get("/login")
    token = bad_token(mode, app, client, users, None)
    logins_before = events(db_session, "login")

    response = client.post(
        "/login",
        data={"email": users["support"].email, "password": factories.DEFAULT_PASSWORD} | token,
    )

    assert response.status_code == 400
    assert events(db_session, "login") == logins_before
    db_session.expire_all()
    assert db_session.get(type(users["support"]), users["support"].id).last_login_at is None
    # Still signed out.
    assert client.get("/admin/invoice/").status_code == 302


@pytest.mark.parametrize("mode", TOKEN_MODES)
def test_logout_without_valid_token_is_refused(app, users, db_session, mode):
    client, stale = signed_in(app, users, "finance")
    token = bad_token(mode, app, client, users, stale)
    logouts_before = events(db_session, "logout")

    response = client.post("/logout", data=token)

    assert response.status_code == 400
    assert events(db_session, "logout") == logouts_before
    # Still signed in.
    assert client.get("/admin/invoice/").status_code == 200


def test_login_and_logout_with_valid_tokens_work(app, users, db_session):
    client, _ = signed_in(app, users, "finance")
    assert client.get("/admin/invoice/").status_code == 200
    assert (
        client.post(
            "/logout", data={"csrf_token": csrf_token(client, "/admin/account/")}
        ).status_code
        == 302
    )
    assert client.get("/admin/invoice/").status_code == 302
    assert events(db_session, "logout") == 1

"""Every admin endpoint against every role, through HTTP (PRODUCT.md, "Who uses it").

Expectations come from two places that must agree:
- the permission table (ROLE_ACTIONS via `can`) and each view's `*_permission` attributes;
- PRODUCT_RULES below, typed straight from PRODUCT.md, so a wrong permission table fails here.

A refused request must answer 403, write an `access.refused` audit event and leave the
database exactly as it was (compared table by table, not trusted from the status code).
Every POST carries a valid CSRF token, so what is tested is the role rule, not CSRF.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from flask_admin.contrib.sqla.validators import Unique
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms.fields.core import UnboundField

from backoffice.admin.audit import AuditEventAdmin
from backoffice.admin.invoicing.invoices import InvoiceAdmin
from backoffice.admin.invoicing.records import CustomerAdmin, ProductAdmin
from backoffice.admin.invoicing.settings import NumberingSeriesAdmin, TaxRateAdmin
from backoffice.admin.payments.credit_ledger import CustomerCreditAdmin
from backoffice.admin.payments.payment_list import PaymentAdmin
from backoffice.admin.security.users import UserAdmin
from backoffice.admin.settings import CompanyAdmin
from backoffice.extensions import db
from backoffice.services.payments import ledger
from backoffice.services.permissions import can
from models import (
    AuditEvent,
    Base,
    Company,
    Customer,
    CustomerCreditEntry,
    EmailMessage,
    EmailStatus,
    Invoice,
    InvoiceStatus,
    NumberingSeries,
    Payment,
    Product,
    Role,
    TaxRate,
    User,
)
from tests import factories

from .conftest import FAST_HASH, csrf_token, snapshot

ROLES = [role.value for role in Role]

VIEWS: dict[str, Any] = {
    "invoice": InvoiceAdmin,
    "customer": CustomerAdmin,
    "product": ProductAdmin,
    "payment": PaymentAdmin,
    "customercredit": CustomerCreditAdmin,
    "company": CompanyAdmin,
    "user": UserAdmin,
    "taxrate": TaxRateAdmin,
    "numberingseries": NumberingSeriesAdmin,
    "auditevent": AuditEventAdmin,
}
MODELS: dict[str, type[Base]] = {
    "invoice": Invoice,
    "customer": Customer,
    "product": Product,
    "payment": Payment,
    "customercredit": CustomerCreditEntry,
    "company": Company,
    "user": User,
    "taxrate": TaxRate,
    "numberingseries": NumberingSeries,
    "auditevent": AuditEvent,
}
# The column a create/edit/inline-edit writes the test's unique marker into.
MARKER_COLUMN = {
    "invoice": "po_reference",
    "customer": "name",
    "product": "name",
    "payment": "reference",
    "customercredit": "description",
    "company": "name",
    "user": "name",
    "taxrate": "name",
    "numberingseries": "prefix",
    "auditevent": "detail",
}

# Which permission attribute of a view guards each operation.
OP_PERMISSION = {
    "list": "view_permission",
    "details": "view_permission",
    "create_get": "create_permission",
    "create_post": "create_permission",
    "edit_get": "edit_permission",
    "edit_post": "edit_permission",
    "delete": "delete_permission",
    "action": "delete_permission",
    "ajax_update": "edit_permission",
    "export": "export_permission",
}
MODEL_OPS = list(OP_PERMISSION)
INVOICE_ACTIONS = ["issue", "void", "credit", "pay", "send", "resend"]
WRITE_OPS = ["create_post", "edit_post", "delete", "action", "ajax_update", *INVOICE_ACTIONS]


def _product_rules() -> dict[tuple[str, str, str], bool]:
    """Expectations typed straight from PRODUCT.md, independent of ROLE_ACTIONS."""
    rules: dict[tuple[str, str, str], bool] = {}
    everything = {ep: MODEL_OPS for ep in VIEWS} | {"invoice": MODEL_OPS + INVOICE_ACTIONS}
    settings = ["company", "user", "taxrate", "numberingseries"]

    # admin: everything, plus users, companies, numbering series, tax rates.
    for ep in ["invoice", "customer", "product", "company", "user", "taxrate"]:
        for op in ["list", "details", "create_get", "create_post", "edit_get", "edit_post"]:
            rules["admin", ep, op] = True
    for op in INVOICE_ACTIONS:
        rules["admin", "invoice", op] = True
    rules["admin", "invoice", "delete"] = True  # "Deleting is only for drafts"
    # The audit trail is append-only: not even an admin rewrites it.
    for op in ["create_post", "edit_post", "delete", "action", "ajax_update"]:
        rules["admin", "auditevent", op] = False

    # Only admin sees the users and the numbering series.
    for role in ["finance", "support", "manager"]:
        for ep in ["user", "numberingseries"]:
            for op in everything[ep]:
                rules[role, ep, op] = False

    # finance: customers, products, drafts; issue, void, credit notes; record payments.
    for ep in ["invoice", "customer", "product"]:
        for op in ["list", "details", "create_get", "create_post", "edit_get", "edit_post"]:
            rules["finance", ep, op] = True
    for op in INVOICE_ACTIONS:
        rules["finance", "invoice", op] = True
    rules["finance", "invoice", "delete"] = True  # "Deleting is only for drafts"
    for ep in settings:
        for op in [
            "create_get",
            "create_post",
            "edit_get",
            "edit_post",
            "delete",
            "action",
            "ajax_update",
        ]:
            rules["finance", ep, op] = False

    # support: read everything customer-facing; edit customers; create and edit drafts.
    # Never issue, void, credit, delete, record payments or change settings.
    for ep in ["invoice", "customer", "product", "payment", "customercredit"]:
        for op in ["list", "details"]:
            rules["support", ep, op] = True
    for ep in ["invoice", "customer"]:
        for op in ["create_get", "create_post", "edit_get", "edit_post"]:
            rules["support", ep, op] = True
    for op in INVOICE_ACTIONS:
        rules["support", "invoice", op] = False
    # ...but may "resend an invoice that was already sent (again, to the same recipients)".
    rules["support", "invoice", "resend"] = True
    for ep in VIEWS:
        rules["support", ep, "delete"] = False
        rules["support", ep, "action"] = False
    for ep in ["product", "payment", "customercredit", *settings]:
        for op in ["create_get", "create_post", "edit_get", "edit_post", "ajax_update"]:
            rules["support", ep, op] = False

    # manager: read-only on every record.
    for ep in VIEWS:
        for op in everything[ep]:
            if op in WRITE_OPS or op in ("create_get", "edit_get"):
                rules["manager", ep, op] = False
    readable = ["invoice", "customer", "product", "payment", "customercredit", "company"]
    for ep in [*readable, "taxrate", "auditevent"]:
        for op in ["list", "details"]:
            rules["manager", ep, op] = True
    return rules


PRODUCT_RULES = _product_rules()

CASES = [
    pytest.param(ep, op, role, id=f"{ep}-{op}-{role}")
    for ep in VIEWS
    for op in MODEL_OPS + (INVOICE_ACTIONS if ep == "invoice" else [])
    for role in ROLES
]


def derived_expectation(ep: str, op: str, user: User) -> bool:
    """What the view attributes and the permission table allow."""
    view = VIEWS[ep]
    if not can(user, view.view_permission):
        return False
    if op in INVOICE_ACTIONS:
        action = view.endpoint_actions[f"{op}_view"]
    else:
        action = getattr(view, OP_PERMISSION[op])
    if op == "action" and "delete" in view.action_disallowed_list:
        return False  # bulk delete switched off for the screen
    return action is not None and can(user, action)


# --- database helpers -----------------------------------------------------------------------


def refusals(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "access.refused", AuditEvent.user_email == user.email)
    )


def row_exists(session: Session, model: type[Base], row_id: int) -> bool:
    return session.scalar(select(func.count()).select_from(model).where(model.id == row_id)) == 1


def column_value(session: Session, model: type[Base], row_id: int, column: str) -> Any:
    session.expire_all()
    return session.scalar(select(getattr(model, column)).where(model.id == row_id))


def count_with(session: Session, model: type[Base], column: str, value: Any) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(getattr(model, column) == value)
    )


def new_marker() -> str:
    # Upper case: it must also be a valid numbering-series prefix.
    return "MK" + uuid.uuid4().hex[:10].upper()


# --- fixtures -------------------------------------------------------------------------------


def unique_validators(app) -> list[Unique]:
    """Flask-Admin's Unique validators (Company.name, User.email) on every create/edit form."""
    found = []
    for admin in app.extensions["admin"]:
        for view in admin._views:
            for form_class in {
                getattr(view, "_create_form_class", None),
                getattr(view, "_edit_form_class", None),
            }:
                for name in dir(form_class or object):
                    field = getattr(form_class, name, None)
                    if isinstance(field, UnboundField):
                        found += [
                            v for v in field.kwargs.get("validators", []) if isinstance(v, Unique)
                        ]
    return found


def test_unique_validators_query_the_request_session(app):
    """Flask-Admin builds its Unique validators at add_view time with `db.session` of the app
    context open in admin.init_app; they must query each request's own session instead."""
    validators = unique_validators(app)
    assert validators, "expected Unique validators on Company.name and User.email"
    with app.test_request_context():
        for validator in validators:
            session = getattr(
                validator.db_session, "_get_current_object", lambda v=validator: v.db_session
            )()
            assert session is db.session, (
                f"{validator.model.__name__}.{validator.column.key} uses a startup session"
            )


@dataclass
class World:
    db: Session
    company: Company
    customer: Customer
    vat19: TaxRate
    users: dict[str, User]

    @property
    def admin(self) -> User:
        return self.users["admin"]

    def draft(self) -> Invoice:
        return factories.make_draft(
            self.db, self.admin, self.customer, [factories.line(self.vat19)]
        )

    def issued(self) -> Invoice:
        return factories.make_issued_invoice(
            self.db, self.admin, self.customer, [factories.line(self.vat19)]
        )

    def emailed(self, invoice: Invoice) -> None:
        """Record that the invoice's email went out, as the outbox job would."""
        self.db.add(
            EmailMessage(
                company_id=invoice.company_id,
                invoice_id=invoice.id,
                purpose="invoice",
                unique_key=f"invoice:{invoice.id}:1",
                recipients=self.customer.email,
                subject=f"Invoice {invoice.reference}",
                body_text="Please find attached",
                body_html="<p>Please find attached</p>",
                status=EmailStatus.SENT.value,
            )
        )

    def target(self, ep: str, op: str) -> Base:
        """A row of `company` every role may see, fit for the operation (deletable if need be)."""
        db = self.db
        if ep == "invoice":
            row = self.draft() if op in MODEL_OPS or op == "issue" else self.issued()
            if op == "resend":
                self.emailed(row)
        elif ep == "customer":
            row = factories.make_customer(db, self.company)
        elif ep == "product":
            row = factories.make_product(db, self.company, self.vat19)
        elif ep == "payment":
            row = ledger.record_payment(db, self.admin, self.issued(), "10.00", factories.ISSUE_DAY)
        elif ep == "customercredit":
            invoice = self.issued()  # 119.00, overpaid: 81.00 becomes credit
            ledger.record_payment(
                db, self.admin, invoice, "200.00", factories.ISSUE_DAY, excess_to_credit=True
            )
            row = db.scalars(
                select(CustomerCreditEntry).order_by(CustomerCreditEntry.id.desc())
            ).first()
        elif ep == "company":
            # No numbering series or customers: nothing stops an allowed delete.
            row = Company(name=factories.unique("Company"), country="DE", base_currency="EUR")
            db.add(row)
            for user in self.users.values():
                user.companies.append(row)
        elif ep == "user":
            row = factories.make_user(
                db, "support", companies=[self.company], password_hash=FAST_HASH
            )
        elif ep == "taxrate":
            row = factories.make_tax_rate(db, "7")
        elif ep == "numberingseries":
            row = db.scalars(
                select(NumberingSeries).where(
                    NumberingSeries.company_id == self.company.id, NumberingSeries.code == "INV"
                )
            ).one()
        elif ep == "auditevent":
            row = AuditEvent(company_id=self.company.id, action="test.event", detail="original")
            db.add(row)
        else:  # pragma: no cover
            raise AssertionError(ep)
        db.flush()
        db.commit()
        return row

    def form(
        self, ep: str, marker: str, row: Base | None = None, target: Base | None = None
    ) -> dict[str, Any]:
        """A complete, valid create (row=None) or edit form that writes marker into MARKER_COLUMN.

        target: the test's row, whose relations a create form may reuse (a payment's invoice).
        """
        company_id = str(self.company.id)
        if ep == "invoice":
            data = {
                "customer": str(self.customer.id),
                "currency": "EUR",
                "issue_date": "",
                "due_date": "",
                "po_reference": marker,
                "notes": "",
                "terms": "",
                "lines-0-product": "__None",
                "lines-0-description": "Consulting",
                "lines-0-quantity": "2",
                "lines-0-unit": "hour",
                "lines-0-unit_price": "100.00",
                "lines-0-discount_percent": "0",
                "lines-0-tax_rate": str(self.vat19.id),
            }
            if row is not None and row.lines:
                data["lines-0-id"] = str(row.lines[0].id)
                data["expected_version"] = str(row.version)
            return data
        if ep == "customer":
            return {
                "company": company_id,
                "name": marker,
                "address": "Rue de la Paix 1",
                "postal_code": "75002",
                "city": "Paris",
                "country": "FR",
                "email": "billing@example.com",
                "vat_id": "",
                "currency": "EUR",
                "payment_terms_days": "30",
                "language": "en",
            }
        if ep == "product":
            return {
                "company": company_id,
                "code": row.code if row is not None else marker,
                "name": marker,
                "description": "",
                "unit": "hour",
                "unit_price": "100.00",
                "default_tax_rate": str(self.vat19.id),
                "is_active": "y",
            }
        if ep == "company":
            return {
                "name": marker,
                "address": "Hauptstrasse 1",
                "country": "DE",
                "tax_id": "",
                "base_currency": "EUR",
                "email": "",
                "logo_path": "",
                "bank_name": "",
                "iban": "",
                "bic": "",
                "default_payment_terms_days": "30",
                "credit_note_approval_threshold": "1000",
            }
        if ep == "user":
            return {
                "email": row.email if row is not None else f"{marker.lower()}@test.example",
                "name": marker,
                "role": "support",
                "is_active": "y",
                "companies": company_id,
                "password": "" if row is not None else "a long enough password",
            }
        if ep == "taxrate":
            return {
                "name": marker,
                "percentage": "7",
                "category": "S",
                "country": "DE",
                "is_active": "y",
            }
        if ep == "numberingseries":
            if row is not None:
                return {
                    "company": company_id,
                    "code": row.code,
                    "kind": row.kind,
                    "prefix": marker,
                    "padding": str(row.padding),
                    "is_default": "y",
                }
            return {
                "company": company_id,
                "code": marker[:20],
                "kind": "invoice",
                "prefix": marker,
                "padding": "6",
            }
        if ep == "payment":
            invoice_id = (row or target).invoice_id
            return {
                "invoice": str(invoice_id),
                "payment_date": "2026-03-05",
                "amount": "1.00",
                "method": "cash",
                "reference": marker,
                "source": "manual",
            }
        if ep == "customercredit":
            return {
                "customer": str(self.customer.id),
                "currency": "EUR",
                "amount": "1000.00",
                "kind": "overpayment",
                "entry_date": "2026-03-05",
                "description": marker,
            }
        if ep == "auditevent":
            return {"action": "tampered", "detail": marker, "user_email": "someone@else.example"}
        raise AssertionError(ep)  # pragma: no cover


@pytest.fixture
def world(db_session, company, customer, vat19, users) -> World:
    db_session.commit()
    return World(db_session, company, customer, vat19, users)


# --- the request for each operation ---------------------------------------------------------


def perform(client, world: World, ep: str, op: str, row: Base, marker: str, token: str):
    base = f"/admin/{ep}"
    if op == "list":
        return client.get(f"{base}/")
    if op == "details":
        return client.get(f"{base}/details/?id={row.id}")
    if op == "create_get":
        return client.get(f"{base}/new/")
    if op == "create_post":
        return client.post(
            f"{base}/new/", data=world.form(ep, marker, target=row) | {"csrf_token": token}
        )
    if op == "edit_get":
        return client.get(f"{base}/edit/?id={row.id}")
    if op == "edit_post":
        return client.post(
            f"{base}/edit/?id={row.id}", data=world.form(ep, marker, row) | {"csrf_token": token}
        )
    if op == "delete":
        return client.post(f"{base}/delete/", data={"id": str(row.id), "csrf_token": token})
    if op == "action":
        return client.post(
            f"{base}/action/", data={"action": "delete", "rowid": str(row.id), "csrf_token": token}
        )
    if op == "export":
        return client.get(f"{base}/export/csv/")
    if op == "ajax_update":
        return client.post(
            f"{base}/ajax/update/",
            data={"list_form_pk": str(row.id), MARKER_COLUMN[ep]: marker, "csrf_token": token},
        )
    form = {"version": str(row.version), "csrf_token": token}
    if op == "issue":
        return client.post(f"{base}/issue/{row.id}", data=form)
    if op == "void":
        return client.post(f"{base}/void/{row.id}", data=form | {"reason": "Wrong customer"})
    if op == "credit":
        return client.post(f"{base}/credit/{row.id}", data=form | {"mode": "full"})
    if op in ("send", "resend"):
        return client.post(f"{base}/{op}/{row.id}", data=form)
    if op == "pay":
        return client.post(
            f"{base}/pay/{row.id}",
            data=form
            | {
                "kind": "payment",
                "amount": "10.00",
                "payment_date": "2026-03-05",
                "method": "cash",
            },
        )
    raise AssertionError(op)  # pragma: no cover


def assert_allowed_effect(
    db: Session, ep: str, op: str, row: dict, marker: str, response, before
) -> None:
    """The request was allowed: it must have done what it says (row: the target's id and total)."""
    model = MODELS[ep]
    body = response.get_data(as_text=True)
    assert response.status_code != 403, body[:500]
    if op in ("list", "details", "create_get", "edit_get"):
        assert response.status_code == 200, body[:500]
        assert snapshot(db) == before
    elif op == "export":
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
    elif op == "create_post":
        assert response.status_code == 302, body[:2000]
        db.expire_all()
        assert count_with(db, model, MARKER_COLUMN[ep], marker) == 1
    elif op == "edit_post":
        assert response.status_code == 302, body[:2000]
        assert column_value(db, model, row["id"], MARKER_COLUMN[ep]) == marker
    elif op in ("delete", "action"):
        assert response.status_code == 302
        db.expire_all()
        assert not row_exists(db, model, row["id"])
    elif op == "ajax_update":
        # No screen lists editable columns, so Flask-Admin answers 404 and writes nothing;
        # the point is that the role gate let the request through (no 403, no refusal).
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert column_value(db, model, row["id"], MARKER_COLUMN[ep]) == marker
        else:
            assert snapshot(db) == before
    elif op == "issue":
        assert response.status_code == 302
        db.expire_all()
        assert column_value(db, Invoice, row["id"], "status") == InvoiceStatus.ISSUED
        assert column_value(db, Invoice, row["id"], "reference")
    elif op == "void":
        assert response.status_code == 302
        assert column_value(db, Invoice, row["id"], "status") == InvoiceStatus.VOID
    elif op == "credit":
        assert response.status_code == 302
        assert count_with(db, Invoice, "original_invoice_id", row["id"]) == 1
        assert column_value(db, Invoice, row["id"], "credited_amount") == row["total"]
    elif op == "pay":
        assert response.status_code == 302
        assert count_with(db, Payment, "invoice_id", row["id"]) == 1
        assert column_value(db, Invoice, row["id"], "paid_amount") == 10
    elif op in ("send", "resend"):
        assert response.status_code == 302
        db.expire_all()
        queued = count_with(db, EmailMessage, "status", EmailStatus.QUEUED.value)
        assert queued == 1 and count_with(db, EmailMessage, "invoice_id", row["id"]) == (
            1 if op == "send" else 2
        )
    else:  # pragma: no cover
        raise AssertionError(op)


@pytest.mark.parametrize(("ep", "op", "role"), CASES)
def test_role_matrix(client_as, world, db_session, ep, op, role):
    user = world.users[role]
    derived = derived_expectation(ep, op, user)
    expected = PRODUCT_RULES.get((role, ep, op), derived)

    row = world.target(ep, op)
    marker = new_marker()
    client = client_as(role)
    token = csrf_token(client, "/admin/account/")
    before = snapshot(db_session)
    refused_before = refusals(db_session, user)

    identity = {"id": row.id, "total": getattr(row, "total_amount", None)}
    response = perform(client, world, ep, op, row, marker, token)

    if expected:
        assert_allowed_effect(db_session, ep, op, identity, marker, response, before)
        assert refusals(db_session, user) == refused_before
    else:
        assert response.status_code == 403, (
            f"{role} {op} on /admin/{ep}/ answered {response.status_code}, "
            f"expected 403: {response.headers.get('Location', '')}"
        )
        assert snapshot(db_session) == before, f"{role} {op} on {ep} was refused but changed data"
        assert refusals(db_session, user) == refused_before + 1, "no access.refused audit event"
        if op not in WRITE_OPS:
            assert marker not in response.get_data(as_text=True)
    # The permission table and the view attributes must say what PRODUCT.md says.
    assert derived == expected, (
        f"permission table says {role} {'may' if derived else 'may not'} {op} on {ep}; "
        f"PRODUCT.md says {'may' if expected else 'may not'}"
    )


def test_product_rules_cover_the_headline_rules():
    """A guard on the hard-coded table itself, so it cannot silently shrink."""
    for op in [*INVOICE_ACTIONS, "delete", "action"]:
        assert PRODUCT_RULES["support", "invoice", op] is (op == "resend")
    for ep in VIEWS:
        for op in ["create_post", "edit_post", "delete", "action", "ajax_update"]:
            assert PRODUCT_RULES["manager", ep, op] is False
    for ep in ["user", "numberingseries"]:
        assert [PRODUCT_RULES.get((role, ep, "list"), True) for role in ROLES] == [
            True,
            False,
            False,
            False,
        ]
    for ep in ["customer", "invoice"]:
        assert (
            PRODUCT_RULES["support", ep, "create_post"]
            and PRODUCT_RULES["support", ep, "edit_post"]
        )


# --- issued invoices are read-only for every role -------------------------------------------


@pytest.mark.parametrize("role", ["admin", "finance", "support"])
def test_issued_invoice_edit_redirects_to_details_and_changes_nothing(
    client_as, world, db_session, role
):
    invoice = world.issued()
    db_session.commit()
    client = client_as(role)
    token = csrf_token(client, "/admin/account/")
    before = snapshot(db_session)

    page = client.get(f"/admin/invoice/edit/?id={invoice.id}")
    assert page.status_code == 302
    assert page.headers["Location"].startswith(f"/admin/invoice/details/?id={invoice.id}")
    details = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "issued invoices are read-only" in details

    marker = new_marker()
    response = client.post(
        f"/admin/invoice/edit/?id={invoice.id}",
        data=world.form("invoice", marker, invoice)
        | {"lines-0-unit_price": "1.00", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/admin/invoice/details/?id={invoice.id}")
    assert snapshot(db_session) == before
    assert column_value(db_session, Invoice, invoice.id, "po_reference") != marker


@pytest.mark.parametrize("role", ["admin", "finance"])
@pytest.mark.parametrize("how", ["delete", "action"])
def test_issued_invoice_cannot_be_deleted(client_as, world, db_session, role, how):
    invoice = world.issued()
    db_session.commit()
    client = client_as(role)
    token = csrf_token(client, "/admin/account/")
    before = snapshot(db_session)
    if how == "delete":
        response = client.post(
            "/admin/invoice/delete/", data={"id": str(invoice.id), "csrf_token": token}
        )
    else:
        response = client.post(
            "/admin/invoice/action/",
            data={"action": "delete", "rowid": str(invoice.id), "csrf_token": token},
        )
    assert response.status_code in (302, 403)
    assert row_exists(db_session, Invoice, invoice.id)
    assert snapshot(db_session) == before
    assert column_value(db_session, Invoice, invoice.id, "status") == InvoiceStatus.ISSUED


def test_support_edits_a_customer_name(client_as, world, db_session):
    """The headline allowed write, spelled out: support renames a customer and it sticks."""
    client = client_as("support")
    token = csrf_token(client, "/admin/account/")
    form = world.form("customer", "Renamed by support GmbH") | {"csrf_token": token}
    response = client.post(f"/admin/customer/edit/?id={world.customer.id}", data=form)
    assert response.status_code == 302
    assert (
        column_value(db_session, Customer, world.customer.id, "name") == "Renamed by support GmbH"
    )


def test_support_creates_and_edits_a_draft_invoice(client_as, world, db_session):
    client = client_as("support")
    token = csrf_token(client, "/admin/account/")
    response = client.post(
        "/admin/invoice/new/", data=world.form("invoice", "PO-SUPPORT-1") | {"csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    invoice = db_session.scalars(
        select(Invoice).where(Invoice.po_reference == "PO-SUPPORT-1")
    ).one()
    assert invoice.status == InvoiceStatus.DRAFT
    assert invoice.created_by_id == world.users["support"].id
    assert invoice.total_amount == 238  # 2 x 100.00 + 19 %

    form = world.form("invoice", "PO-SUPPORT-2", invoice) | {
        "lines-0-quantity": "3",
        "csrf_token": token,
    }
    response = client.post(f"/admin/invoice/edit/?id={invoice.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    invoice = db_session.get(Invoice, invoice.id)
    assert invoice.po_reference == "PO-SUPPORT-2"
    assert [line.quantity for line in invoice.lines] == [3]
    assert invoice.total_amount == 357

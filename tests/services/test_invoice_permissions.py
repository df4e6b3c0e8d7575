"""Role and company checks on the invoice and payment services (PRODUCT.md, "Who uses it")."""

import pytest

from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.invoicing import drafts, lifecycle
from backoffice.services.payments import ledger
from backoffice.services.permissions import Action, can, roles_allowed
from backoffice.services.scoping import visible_company_ids
from models import InvoiceStatus, Role
from tests import factories
from tests.factories import ISSUE_DAY, line


def _lifecycle_actions(session, user, draft, issued):
    """Every action support and manager must not take on issued documents."""
    return {
        "issue": lambda: lifecycle.issue(session, user, draft, ISSUE_DAY),
        "void": lambda: lifecycle.void(session, user, issued, "reason"),
        "credit": lambda: lifecycle.create_credit_note(session, user, issued),
        "credit in full": lambda: lifecycle.credit_in_full(session, user, issued, ISSUE_DAY),
        "pay": lambda: ledger.record_payment(session, user, issued, "1", ISSUE_DAY),
        "refund": lambda: ledger.record_refund(session, user, issued, "1", ISSUE_DAY),
        "send": lambda: lifecycle.mark_sent(session, user, issued),
        "delete draft": lambda: drafts.delete_draft(session, user, draft),
    }


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.MANAGER])
def test_lifecycle_is_refused_when_role_is_support_or_manager(
    session, finance, customer, company, role
):
    user = factories.make_user(session, role, companies=[company])
    draft = factories.make_draft(session, finance, customer)
    issued = factories.make_issued_invoice(session, finance, customer)
    for name, attempt in _lifecycle_actions(session, user, draft, issued).items():
        with pytest.raises(PermissionDenied, match=f"Your role \\({role}\\) may not"):
            attempt()
        assert draft.status == InvoiceStatus.DRAFT, name
        assert issued.status == InvoiceStatus.ISSUED and issued.paid_amount == 0, name


def test_support_may_create_and_edit_drafts(session, support, customer, vat19):
    draft = factories.make_draft(session, support, customer, [line(vat19, "2")])
    factories.edit_draft(session, support, draft, factories.set_quantity(0, "3"))
    drafts.add_line(session, support, draft, line(vat19))
    factories.edit_draft(session, support, draft, factories.remove_line(0))
    assert draft.created_by_id == support.id
    assert len(draft.lines) == 1


def test_manager_may_not_edit_drafts(session, manager, finance, customer, vat19):
    with pytest.raises(PermissionDenied):
        drafts.create_draft(session, manager, customer)
    draft = factories.make_draft(session, finance, customer)
    with pytest.raises(PermissionDenied):
        drafts.add_line(session, manager, draft, line(vat19))
    with pytest.raises(PermissionDenied):
        factories.edit_draft(session, manager, draft, factories.set_quantity(0, "5"))
    with pytest.raises(PermissionDenied):
        factories.edit_draft(session, manager, draft, factories.remove_line(0))
    assert len(draft.lines) == 1


def test_everything_is_refused_when_user_is_inactive(session, company, customer, finance):
    inactive = factories.make_user(session, Role.ADMIN, companies=[company], is_active=False)
    with pytest.raises(PermissionDenied):
        drafts.create_draft(session, inactive, customer)
    draft = factories.make_draft(session, finance, customer)
    with pytest.raises(PermissionDenied):
        lifecycle.issue(session, inactive, draft, ISSUE_DAY)


def test_finance_is_refused_when_company_is_not_granted(session, finance, customer, vat19):
    other_company = factories.make_company(session)
    outsider = factories.make_user(session, Role.FINANCE, companies=[other_company])
    draft = factories.make_draft(session, finance, customer)
    issued = factories.make_issued_invoice(session, finance, customer)
    attempts = {
        "create draft": lambda: drafts.create_draft(session, outsider, customer),
        "add line": lambda: drafts.add_line(session, outsider, draft, line(vat19)),
        "update line": lambda: factories.edit_draft(
            session, outsider, draft, factories.set_quantity(0, "7")
        ),
        "remove line": lambda: factories.edit_draft(
            session, outsider, draft, factories.remove_line(0)
        ),
        **_lifecycle_actions(session, outsider, draft, issued),
    }
    for name, attempt in attempts.items():
        with pytest.raises(PermissionDenied, match="no.* access to this company"):
            attempt()
        assert draft.status == InvoiceStatus.DRAFT and len(draft.lines) == 1, name
    assert issued.status == InvoiceStatus.ISSUED


def test_admin_reaches_every_company_without_grants(session, admin, customer, company):
    assert visible_company_ids(admin) is None
    issued = factories.make_issued_invoice(session, admin, customer)
    assert issued.company_id == company.id
    ledger.record_payment(session, admin, issued, issued.total_amount, ISSUE_DAY)
    assert issued.status == InvoiceStatus.PAID


def test_permission_table_matches_the_product_brief():
    assert set(roles_allowed(Action.ISSUE)) == {Role.ADMIN, Role.FINANCE}
    assert set(roles_allowed(Action.RECORD_PAYMENT)) == {Role.ADMIN, Role.FINANCE}
    assert set(roles_allowed(Action.VOID)) == {Role.ADMIN, Role.FINANCE}
    assert set(roles_allowed(Action.CREDIT)) == {Role.ADMIN, Role.FINANCE}
    assert set(roles_allowed(Action.EDIT_DRAFT)) == {Role.ADMIN, Role.FINANCE, Role.SUPPORT}
    assert set(roles_allowed(Action.MANAGE_SETTINGS)) == {Role.ADMIN}
    assert can(None, Action.VIEW) is False


def test_add_line_is_refused_when_product_belongs_to_another_company(
    session, finance, customer, vat19
):
    foreign = factories.make_product(session, factories.make_company(session), vat19)
    draft = factories.make_draft(session, finance, customer, lines=[])
    with pytest.raises(DomainError):
        drafts.add_line(session, finance, draft, line(vat19, product_id=foreign.id))


def test_a_refusal_names_the_roles_to_ask_when_role_may_not(session, company, customer):
    support = factories.make_user(session, Role.SUPPORT, companies=[company])
    draft = factories.make_draft(session, support, customer)
    with pytest.raises(
        PermissionDenied, match="may not issue; ask someone with the admin or finance"
    ):
        lifecycle.issue(session, support, draft, ISSUE_DAY)
    assert draft.status == InvoiceStatus.DRAFT


def test_a_refusal_explains_the_role_and_who_may(session, company):
    from backoffice.services.permissions import Action, explain_refusal

    manager = factories.make_user(session, Role.MANAGER, companies=[company])
    assert explain_refusal(manager, Action.ISSUE) == (
        "Managers can read every record, the reports and the dashboard, and approve credit "
        "notes, but cannot change records. Issuing invoices is for the admin or finance role. "
        "Ask an admin if you need it."
    )
    support = factories.make_user(session, Role.SUPPORT, companies=[company])
    assert "cannot issue, send, void" in explain_refusal(support, None)

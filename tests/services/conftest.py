"""A small world for service tests: one company, its users, a customer and two tax rates."""

import pytest

from backoffice.services.invoicing import lifecycle
from models import Role
from tests import factories


@pytest.fixture
def company(session):
    return factories.make_company(session)


@pytest.fixture
def customer(session, company):
    return factories.make_customer(session, company)


@pytest.fixture
def vat19(session):
    return factories.make_tax_rate(session, "19")


@pytest.fixture
def vat7(session):
    return factories.make_tax_rate(session, "7")


@pytest.fixture
def finance(session, company):
    return factories.make_user(session, Role.FINANCE, companies=[company])


@pytest.fixture
def admin(session):
    # No explicit company grants: admins see every company.
    return factories.make_user(session, Role.ADMIN)


@pytest.fixture
def support(session, company):
    return factories.make_user(session, Role.SUPPORT, companies=[company])


@pytest.fixture
def manager(session, company):
    return factories.make_user(session, Role.MANAGER, companies=[company])


@pytest.fixture
def draft(session, finance, customer, vat19, vat7):
    """A draft of 2 x 100.00 at 19 % and 1 x 50.00 at 7 %: net 250.00, tax 41.50, 291.50."""
    return factories.make_draft(
        session,
        finance,
        customer,
        [factories.line(vat19, "2", "100.00"), factories.line(vat7, "1", "50.00")],
    )


@pytest.fixture
def issued(session, finance, draft):
    """The draft above, issued on factories.ISSUE_DAY (due 30 days later)."""
    return lifecycle.issue(session, finance, draft, factories.ISSUE_DAY)

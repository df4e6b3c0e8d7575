"""The company scope helper: what each user's queries may return."""

from sqlalchemy import select

from backoffice.services.scoping import in_companies, may_see_company, scoped
from models import Customer, Role
from tests import factories


def _visible_customers(session, user, *customers) -> set[int]:
    ids = [customer.id for customer in customers]
    query = scoped(
        select(Customer.id).where(Customer.id.in_(ids)), user, in_companies(Customer.company_id)
    )
    return set(session.scalars(query))


def test_staff_see_only_the_companies_granted_to_them(session):
    mine, theirs = factories.make_company(session), factories.make_company(session)
    own = factories.make_customer(session, mine)
    other = factories.make_customer(session, theirs)
    clerk = factories.make_user(session, Role.FINANCE, companies=[mine])
    assert _visible_customers(session, clerk, own, other) == {own.id}
    assert may_see_company(clerk, mine.id) and not may_see_company(clerk, theirs.id)


def test_nothing_is_visible_when_no_company_is_granted(session):
    customer = factories.make_customer(session, factories.make_company(session))
    stranger = factories.make_user(session, Role.MANAGER, companies=[])
    assert _visible_customers(session, stranger, customer) == set()
    assert not may_see_company(stranger, customer.company_id)


def test_admins_see_every_company_without_grants(session):
    first = factories.make_customer(session, factories.make_company(session))
    second = factories.make_customer(session, factories.make_company(session))
    admin = factories.make_user(session, Role.ADMIN)
    assert _visible_customers(session, admin, first, second) == {first.id, second.id}
    assert may_see_company(admin, None)

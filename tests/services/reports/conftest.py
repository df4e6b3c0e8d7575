"""A quarter of business in three currencies (tests/factories.py), as of mid-April."""

from datetime import date

import pytest

from tests import factories

TODAY = date(2026, 4, 15)


@pytest.fixture
def world(session, company, finance):
    return factories.make_quarter_of_business(session, finance, company)

"""flask bank import: counts printed, a second import finds everything known, a bad file
exits with status 2 and stores nothing."""

from pathlib import Path

from sqlalchemy import func, select

from models import BankTransaction, Role
from tests import factories

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"


def _world(db_session, company, invoices=True):
    if invoices:
        clerk = factories.make_user(db_session, Role.FINANCE, companies=[company])
        factories.make_bank_world(db_session, clerk, company)
    else:
        factories.make_bank_account(db_session, company)
    db_session.commit()


def test_import_prints_what_was_found_and_nothing_twice(app, db_session, company):
    _world(db_session, company)
    cli = app.test_cli_runner()
    args = ["bank", "import", str(FIXTURES / "camt053_v02.xml"), "--company", company.name]

    first = cli.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "imported       8" in first.output and "already known  1" in first.output
    assert "proposed       6 (exact 3, probable 3)" in first.output
    assert "unmatched      2" in first.output
    again = cli.invoke(args=[*args, "--account", "DE89 3704 0044 0532 0130 00", "--format", "camt"])
    assert again.exit_code == 0, again.output
    assert "imported       0" in again.output and "already known  9" in again.output


def test_a_bad_file_exits_2_and_stores_nothing(app, db_session, company):
    _world(db_session, company, invoices=False)
    result = app.test_cli_runner().invoke(
        args=["bank", "import", str(FIXTURES / "malformed.csv"), "--company", company.name]
    )
    assert result.exit_code == 2
    assert "line 3: '12,3x' is not an amount like 1.234,56. Nothing was imported." in result.output
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(BankTransaction)) == 0


def test_an_unknown_account_is_named(app, db_session, company):
    _world(db_session, company, invoices=False)
    result = app.test_cli_runner().invoke(
        args=[
            "bank",
            "import",
            str(FIXTURES / "statement.sta"),
            "--company",
            company.name,
            "--account",
            "GB29NWBK60161331926819",
        ]
    )
    assert result.exit_code == 1 and "has no bank account GB29NWBK60161331926819" in result.output

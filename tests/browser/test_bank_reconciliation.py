"""The reconciliation screen in a real browser: upload a statement, read the proposals,
confirm all exact matches."""

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import BankTransaction, Role
from tests import factories

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
STATEMENT = Path(__file__).resolve().parents[1] / "fixtures" / "bank" / "camt053_v02.xml"


def test_finance_uploads_a_statement_and_confirms_the_exact_matches(
    committed_engine, live_server, page
):
    with Session(committed_engine) as session:
        company = factories.make_company(session)
        clerk = factories.make_user(session, Role.FINANCE, companies=[company])
        factories.make_bank_world(session, clerk, company)
        session.commit()
        email = clerk.email

    sign_in(page, live_server, email)
    page.click("text=Records")
    page.click("text=Bank reconciliation")
    page.wait_for_url("**/admin/bank/")
    page.set_input_files("#bank-file", str(STATEMENT))
    page.click("button:has-text('Import')")
    page.wait_for_selector(".alert-success")
    assert "8 lines imported" in page.inner_text(".alert-success")
    table = page.inner_text("table.bank-lines")
    assert "INV-2026-000005" in table and "€0.01 less than the €357.00 open" in table
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "bank_reconciliation.png"), full_page=True)

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Confirm all exact matches')")
    page.wait_for_selector(".alert-success")
    assert "Booked 3 line(s)" in page.inner_text(".alert-success")
    page.screenshot(path=str(SCREENSHOTS / "bank_reconciliation_confirmed.png"), full_page=True)
    with Session(committed_engine) as session:
        booked = select(func.count()).where(BankTransaction.state == "booked")
        assert session.scalar(booked) == 3

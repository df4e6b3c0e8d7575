"""The reconciliation screen: upload, confirm, confirm all exact, split, ignore; finance and
admins only, each within their companies."""

import html
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backoffice.services.payments import ledger, reversal
from backoffice.services.payments.bank.references import printed_creditor_reference
from models import BankAccount, BankTransaction, Payment, Role
from tests import factories

from .conftest import csrf_token, login, messages
from .test_payment_list import filter_arg

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
SCREEN = "/admin/bank/"


@pytest.fixture
def world(db_session, company, users):
    made = factories.make_bank_world(db_session, users["finance"], company)
    db_session.commit()
    return made


def upload(client, account, name="camt053_v02.xml", fmt=""):
    with (FIXTURES / name).open("rb") as handle:
        return client.post(
            f"{SCREEN}upload",
            data={
                "csrf_token": csrf_token(client, SCREEN),
                "account_id": str(account.id),
                "format": fmt,
                "file": (handle, name),
            },
            content_type="multipart/form-data",
            follow_redirects=True,
        )


def line(db_session, reference) -> BankTransaction:
    db_session.expire_all()
    return db_session.scalars(
        select(BankTransaction).where(BankTransaction.bank_reference == reference)
    ).one()


def post(client, path, **data):
    data["csrf_token"] = csrf_token(client, SCREEN)
    return client.post(f"{SCREEN}{path}", data=data, follow_redirects=True)


def test_upload_then_confirm_one_and_all_exact(app, client_as, db_session, world, users):
    client = client_as("finance")
    page = upload(client, world["account"]).get_data(as_text=True)
    assert "8 lines imported, 1 already known, 6 proposed (3 exact, 3 probable), 2 unmatched" in (
        messages(page)
    )
    assert "Invoice INV-2026-000001 named in the remittance text" in page
    first = line(db_session, "V02-0001")

    done = post(client, f"confirm/{first.proposals[0].id}").get_data(as_text=True)
    assert "Booked €119.00 on INV-2026-000001" in messages(done)
    assert line(db_session, "V02-0001").state == "booked"
    again = post(client, f"confirm/{first.proposals[0].id}").get_data(as_text=True)
    assert "booked already" in messages(again)

    everything = post(client, "confirm-exact").get_data(as_text=True)
    assert "Booked 2 line(s) with an exact match." in messages(everything)
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 5
    assert line(db_session, "V02-0003").state == "proposed"  # probable stays for a person
    booked = client.get(f"{SCREEN}?state=booked").get_data(as_text=True)
    assert "INV-2026-000007" in booked

    # The payment list tells bank-booked payments from typed ones.
    by_hand = world["invoices"][2]
    ledger.record_payment(
        db_session, users["finance"], by_hand, "10.00", by_hand.issue_date, reference="TYPED-1"
    )
    db_session.commit()
    arg = filter_arg(app, "id", "is")
    from_bank = client.get(f"/admin/payment/?{arg}=bank").get_data(as_text=True)
    assert "V02-0001" in from_bank and "TYPED-1" not in from_bank
    typed = client.get(f"/admin/payment/?{arg}=none").get_data(as_text=True)
    assert "TYPED-1" in typed and "V02-0001" not in typed


def test_split_by_hand_and_ignore_with_undo(client_as, db_session, world):
    client = client_as("finance")
    upload(client, world["account"])
    near = line(db_session, "V02-0003")  # 356.99
    refused = post(client, f"book/{near.id}", invoice=["INV-2026-000003"], amount=["300.00"])
    assert "add up to €300.00, but the line is €356.99" in messages(refused.get_data(as_text=True))
    split = post(
        client,
        f"book/{near.id}",
        invoice=["INV-2026-000003", "INV-2026-000004", ""],
        amount=["300.00", "56.99", ""],
    )
    assert "Booked €300.00 on INV-2026-000003, €56.99 on INV-2026-000004" in messages(
        split.get_data(as_text=True)
    )
    fees = line(db_session, "V02-0005")
    no_reason = post(client, f"ignore/{fees.id}", reason=" ")
    assert "Say why" in messages(no_reason.get_data(as_text=True))
    post(client, f"ignore/{fees.id}", reason="Bank fees")
    assert (line(db_session, "V02-0005").state, line(db_session, "V02-0005").ignore_reason) == (
        "ignored",
        "Bank fees",
    )
    assert "Bank fees" in client.get(f"{SCREEN}?state=ignored").get_data(as_text=True)
    post(client, f"unignore/{fees.id}")
    assert line(db_session, "V02-0005").state == "unmatched"
    invoice = world["invoices"][0]
    page = client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    assert printed_creditor_reference(invoice.id) in page


def test_a_line_opened_again_by_a_reversal_offers_what_is_left(client_as, db_session, world, users):
    client = client_as("finance")
    upload(client, world["account"])
    near = line(db_session, "V02-0003")  # 356.99
    post(
        client,
        f"book/{near.id}",
        invoice=["INV-2026-000003", "INV-2026-000004"],
        amount=["300.00", "56.99"],
    )
    wrong = db_session.scalars(
        select(Payment).where(Payment.amount == Decimal("56.99"), Payment.reverses_id.is_(None))
    ).one()
    reversal.reverse_payment(db_session, users["finance"], wrong, "Wrong invoice", date.today())
    db_session.commit()

    page = client.get(SCREEN).get_data(as_text=True)
    form = page[page.index(f"/book/{near.id}") :]
    assert 'value="56.99"' in form[: form.index("</form>")]


def test_a_bad_file_is_refused_whole_and_support_and_managers_are_refused(
    client_as, db_session, world
):
    finance = client_as("finance")
    page = upload(finance, world["account"], "malformed_camt053.xml", "camt")
    text = html.unescape(messages(page.get_data(as_text=True)))
    assert "/Document/BkToCstmrStmt/Stmt/Ntry[2] (line 20): CdtDbtInd is 'CRDX'" in text
    assert db_session.scalar(select(func.count()).select_from(BankTransaction)) == 0
    upload(finance, world["account"])
    first = line(db_session, "V02-0001")
    for role in ("support", "manager"):
        client = client_as(role)
        assert client.get(SCREEN).status_code == 403
        token = csrf_token(client, "/admin/account/")
        response = client.post(
            f"{SCREEN}confirm/{first.proposals[0].id}", data={"csrf_token": token}
        )
        assert response.status_code == 403
        response = client.post(f"{SCREEN}confirm-exact", data={"csrf_token": token})
        assert response.status_code == 403
    assert line(db_session, "V02-0001").state == "proposed"


def test_another_companys_lines_are_out_of_reach(app, client_as, db_session, world, users):
    upload(client_as("finance"), world["account"])
    first = line(db_session, "V02-0001")
    other = factories.make_company(db_session)
    stranger = factories.make_user(
        db_session,
        Role.FINANCE,
        companies=[other],
        email="stranger@test.example",
        password_hash=users["finance"].password_hash,
    )
    db_session.commit()
    client = app.test_client()
    assert login(client, stranger.email).status_code == 302
    page = client.get(f"{SCREEN}?state=all").get_data(as_text=True)
    assert "V02-0001" not in page and "No bank lines." in page
    refused = post(client, f"confirm/{first.proposals[0].id}")
    assert "does not exist or is not yours" in messages(refused.get_data(as_text=True))
    ignored = post(client, f"ignore/{first.id}", reason="mine now")
    assert "does not exist or is not yours" in messages(ignored.get_data(as_text=True))
    foreign_upload = upload(client, world["account"])
    assert "Choose one of your bank accounts" in messages(foreign_upload.get_data(as_text=True))
    post(client, "confirm-exact")
    assert line(db_session, "V02-0001").state == "proposed"


def test_admins_set_up_accounts_with_a_checked_iban(client_as, db_session, company):
    client = client_as("admin")
    form = {
        "csrf_token": csrf_token(client, "/admin/bankaccount/new/"),
        "company": str(company.id),
        "name": "Savings",
        "iban": "DE89 3704 0044 0532 0130 01",
        "currency": "eur",
        "csv_delimiter": ";",
        "csv_header_rows": "1",
        "csv_date_format": "%d.%m.%Y",
    }
    bad = client.post("/admin/bankaccount/new/", data=form, follow_redirects=True)
    assert "is not a valid IBAN" in html.unescape(messages(bad.get_data(as_text=True)))
    form["iban"] = "de89 3704 0044 0532 0130 00"
    client.post("/admin/bankaccount/new/", data=form, follow_redirects=True)
    db_session.expire_all()
    saved = db_session.scalars(select(BankAccount).where(BankAccount.name == "Savings")).one()
    assert (saved.iban, saved.currency) == ("DE89370400440532013000", "EUR")
    finance = client_as("finance")
    assert finance.get("/admin/bankaccount/").status_code == 200
    form["name"] = "Finance's own"
    form["csrf_token"] = csrf_token(finance, "/admin/bankaccount/")
    refused = finance.post("/admin/bankaccount/new/", data=form)
    assert refused.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(BankAccount)) == 1

"""Bank statements: CAMT.053 (.001.02, .001.08), MT940 and CSV files imported once, matched
to open invoices as proposals, nothing booked until finance confirms."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.payments.bank import csv_parser, importing
from backoffice.services.payments.bank.statement import StatementError
from models import BankTransaction, MatchProposal, Payment
from tests import factories

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
D = Decimal


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def world(session, finance, company):
    return factories.make_bank_world(session, finance, company)


def lines(session, account) -> dict[str, BankTransaction]:
    rows = session.scalars(
        select(BankTransaction).where(BankTransaction.bank_account_id == account.id)
    )
    return {row.bank_reference: row for row in rows}


def proposal(line: BankTransaction) -> tuple[str, list[str], list[Decimal]]:
    """The line's first proposal: its confidence, invoices and amounts."""
    first = line.proposals[0]
    return (
        first.confidence,
        [a.invoice.reference for a in first.allocations],
        [a.amount for a in first.allocations],
    )


def test_camt_v02_is_matched_by_number_reference_and_sum(session, finance, world):
    account = world["account"]
    summary = importing.import_statement(session, finance, account, read("camt053_v02.xml"))

    # 9 entries: one listed twice (known), one pending (not booked by the bank, left out).
    assert (summary.imported, summary.already_known) == (8, 1)
    assert (summary.exact, summary.probable, summary.unmatched) == (3, 3, 2)
    found = lines(session, account)
    assert proposal(found["V02-0001"]) == ("exact", ["INV-2026-000001"], [D("119.00")])
    # The number only in the structured reference.
    assert proposal(found["V02-0002"]) == ("exact", ["INV-2026-000002"], [D("238.00")])
    # A cent short, number typed with spaces and without its zeros: probable, not exact.
    near = found["V02-0003"]
    assert proposal(near)[:2] == ("probable", ["INV-2026-000003"])
    assert "€0.01 less than the €357.00 open" in near.proposals[0].reason
    # A typo in the number (000040 for 000004), the amount exactly that invoice's.
    typo = found["V02-0004/E2E-TYPO"]
    assert proposal(typo) == ("probable", ["INV-2026-000004"], [D("476.00")])
    assert "one character away" in typo.proposals[0].reason
    # One transfer for three invoices, each paid what it owes.
    collective = found["V02-0004/E2E-COLLECTIVE"]
    assert proposal(collective) == (
        "exact",
        ["INV-2026-000005", "INV-2026-000006", "INV-2026-000007"],
        [D("11.90"), D("23.80"), D("35.70")],
    )
    # Money out, and money in another currency: never exact.
    assert found["V02-0005"].is_credit is False and found["V02-0005"].state == "unmatched"
    foreign = found["V02-0006"]
    assert proposal(foreign)[:2] == ("probable", ["INV-2026-000008"])
    assert "in USD and the invoice in EUR" in foreign.proposals[0].reason
    assert found["V02-0004/3"].state == "unmatched"
    assert found["V02-0001"].counterparty_iban == "DE44500105175407324931"
    # Nothing is booked by an import.
    assert session.scalar(select(func.count()).select_from(Payment)) == 0
    assert all(invoice.paid_amount == 0 for invoice in world["invoices"])


def test_the_same_file_twice_stores_nothing_twice(session, finance, world):
    account = world["account"]
    importing.import_statement(session, finance, account, read("camt053_v02.xml"))
    again = importing.import_statement(session, finance, account, read("camt053_v02.xml"))

    assert (again.imported, again.already_known) == (0, 9)
    assert len(lines(session, account)) == 8


def test_equal_lines_from_two_payers_in_two_files_are_two_lines(session, finance, company):
    # Without a bank reference a line is known by what it says; two payers sending the same
    # amount with the same words on one day, in two exports, are still two payments.
    account = factories.make_bank_account(session, company)
    head = "Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\n"
    alice = head + "02.03.2026;119,00;EUR;Rechnung;Alice GmbH;DE02120300000000202051\n"
    bob = head + "02.03.2026;119,00;EUR;Rechnung;Bob AG;FR7630006000011234567890189\n"
    importing.import_statement(session, finance, account, alice.encode(), "csv")
    second = importing.import_statement(session, finance, account, bob.encode(), "csv")

    assert (second.imported, second.already_known) == (1, 0)
    payers = {line.counterparty_name for line in lines(session, account).values()}
    assert payers == {"Alice GmbH", "Bob AG"}
    again = importing.import_statement(session, finance, account, bob.encode(), "csv")
    assert (again.imported, again.already_known) == (0, 1)


def test_camt_v08_reads_party_names_datetimes_and_split_entries(session, finance, world):
    account = world["account"]
    summary = importing.import_statement(session, finance, account, read("camt053_v08.xml"), "camt")

    assert (summary.imported, summary.exact, summary.probable, summary.unmatched) == (4, 1, 1, 2)
    found = lines(session, account)
    first = found["V08-0001/E2E-V08-1"]
    assert str(first.booking_date) == "2026-12-03" and first.counterparty_name.startswith("Müller")
    assert proposal(first)[:2] == ("exact", ["INV-2026-000001"])
    # No number: the payer's name is like a customer's and one invoice is open for the amount.
    by_name = found["V08-0002"]
    assert proposal(by_name) == ("probable", ["INV-2026-000004"], [D("476.00")])
    assert "'ACME TRADING LTD.' is like 'Acme Trading Ltd'" in by_name.proposals[0].reason
    # Two transfers in one entry without references of their own.
    assert {found["V08-0003/1"].amount, found["V08-0003/2"].amount} == {D("50.00"), D("20.00")}


def test_mt940_lines_and_duplicates_across_files(session, finance, world):
    account = world["account"]
    importing.import_statement(session, finance, account, read("camt053_v02.xml"))
    summary = importing.import_statement(session, finance, account, read("statement.sta"))

    # V02-0001 came with the CAMT file already; two equal "Spende" lines are two lines.
    assert (summary.imported, summary.already_known) == (4, 1)
    found = lines(session, account)
    mt = found["MT-0002"]
    assert mt.counterparty_iban == "GB29NWBK60161331926819" and mt.counterparty_name
    assert proposal(mt)[:2] == ("exact", ["INV-2026-000003"])
    assert found["MT-0003"].is_credit is False
    derived = [ref for ref in found if ref.startswith("derived:")]
    assert len(derived) == 2
    again = importing.import_statement(session, finance, account, read("statement.sta"), "mt940")
    assert (again.imported, again.already_known) == (0, 5)


def test_csv_with_decimal_comma_and_a_collective_payment_by_payer(session, finance, world):
    account = world["account"]
    summary = importing.import_statement(session, finance, account, read("statement.csv"))

    assert summary.imported == 5
    found = sorted(lines(session, account).values(), key=lambda row: row.id)
    assert [(row.amount, row.is_credit) for row in found] == [
        (D("71.40"), True),
        (D("1234.56"), False),
        (D("1190.00"), True),
        (D("20.00"), True),
        (D("20.00"), True),
    ]
    confidence, invoices, amounts = proposal(found[0])
    assert confidence == "probable" and amounts == [D("11.90"), D("23.80"), D("35.70")]
    assert "sum of the 3 open invoices" in found[0].proposals[0].reason
    # 1,190.00 for an invoice of 595.00: the excess is said, never booked silently.
    assert "more than the €595.00 open" in found[2].proposals[0].reason
    again = importing.import_statement(session, finance, account, read("statement.csv"), "csv")
    assert (again.imported, again.already_known) == (0, 5)


@pytest.mark.parametrize(
    ("name", "fmt", "where"),
    [
        ("malformed_camt053.xml", "camt", "/Document/BkToCstmrStmt/Stmt/Ntry[2] (line 20)"),
        ("malformed.csv", "csv", "line 3"),
    ],
)
def test_a_malformed_file_is_refused_whole(session, finance, world, name, fmt, where):
    account = world["account"]
    with pytest.raises(StatementError) as refused:
        importing.import_statement(session, finance, account, read(name), fmt)
    assert refused.value.where == where
    assert session.scalar(select(func.count()).select_from(BankTransaction)) == 0


def test_a_camt_line_refused_after_reading_names_where_it_is(session, finance, world):
    # Such a line's place is worked out only once it is refused (every line's took 37 s for a
    # file of 8,000 entries); it must still be there.
    entry = (
        "<Ntry><Amt Ccy='{ccy}'>1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        "<BookgDt><Dt>2026-03-02</Dt></BookgDt><AcctSvcrRef>R{n}</AcctSvcrRef></Ntry>\n"
    )
    entries = entry.format(ccy="EUR", n=1) + entry.format(ccy="EURO", n=2)
    statement = (
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>"
        "<Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>\n"
        f"{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()
    with pytest.raises(StatementError) as refused:
        importing.import_statement(session, finance, world["account"], statement, "camt")
    assert refused.value.where == "/Document/BkToCstmrStmt/Stmt/Ntry[2] (line 3)"
    assert "EURO is not a currency" in str(refused.value)


def test_a_broken_mt940_tag_names_its_line(session, finance, world):
    broken = read("statement.sta").replace(b":61:2612021202C357,00", b":61:26120X1202C357,00")
    with pytest.raises(StatementError, match=r"^line 7: tag :61: cannot be read"):
        importing.import_statement(session, finance, world["account"], broken, "mt940")
    assert session.scalar(select(func.count()).select_from(BankTransaction)) == 0


def test_a_statement_of_another_account_is_refused(session, finance, company, world):
    other = factories.make_bank_account(
        session, company, iban="GB29NWBK60161331926819", name="Other"
    )
    with pytest.raises(DomainError, match="for the account DE89370400440532013000"):
        importing.import_statement(session, finance, other, read("camt053_v02.xml"))


def test_support_and_managers_may_not_import(session, world, support, manager):
    for person in (support, manager):
        with pytest.raises(PermissionDenied):
            importing.import_statement(session, person, world["account"], read("statement.sta"))
    assert session.scalar(select(func.count()).select_from(MatchProposal)) == 0


def test_csv_with_debit_and_credit_columns_and_a_decimal_point():
    mapping = csv_parser.CsvMapping(
        delimiter=",",
        header_rows=2,
        date_column="1",
        date_format="%Y-%m-%d",
        debit_column="Debit",
        credit_column="Credit",
        reference_column="Ref",
        text_column="Details",
        decimal_comma=False,
        thousands_separator=",",
    )
    data = (
        b"Export of account GB29NWBK60161331926819,,,,\n"
        b"Date,Details,Debit,Credit,Ref\n"
        b'2026-12-01,"Invoice INV-2026-000001, thanks",,"1,190.00",B-1\n'
        b"2026-12-02,Card fees,12.50,,B-2\n"
    )
    statement = csv_parser.parse(data, mapping, "GBP")
    assert [(line.amount, line.is_credit, line.bank_reference) for line in statement.lines] == [
        (D("1190.00"), True, "B-1"),
        (D("12.50"), False, "B-2"),
    ]
    assert statement.lines[0].currency == "GBP"
    assert statement.lines[0].remittance_text == "Invoice INV-2026-000001, thanks"
    with pytest.raises(
        StatementError, match=r"^line 3: '1\.190,00' is not an amount like 1,234\.56"
    ):
        csv_parser.parse(data.replace(b'"1,190.00"', b'"1.190,00"'), mapping, "GBP")


def test_a_mapping_that_cannot_read_a_file_is_refused():
    with pytest.raises(DomainError, match="either the signed amount column, or both"):
        csv_parser.check_mapping(csv_parser.CsvMapping(date_column="Date", debit_column="D"))
    with pytest.raises(DomainError, match="cannot be the decimal mark"):
        csv_parser.check_mapping(
            csv_parser.CsvMapping(date_column="D", amount_column="A", thousands_separator=",")
        )

"""Alembic migrations: they round-trip and produce exactly what the models describe."""

import hashlib
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from backoffice.services.payments.bank import importing
from models import BankAccount, Base, Role, User
from tests import factories
from tests.conftest import alembic_config, drop_database, recreate_database

TRIGGERS = {
    ("audit_events", "audit_events_append_only"),
    ("audit_events", "audit_events_no_truncate"),
    ("customer_credit_entries", "customer_credit_entries_append_only"),
    ("invoice_lines", "invoice_lines_guard_frozen"),
    ("invoice_tax_totals", "invoice_tax_totals_guard_frozen"),
    ("invoices", "invoices_guard_frozen"),
    ("invoices", "report_invoices_summarise"),
    ("payments", "report_payments_summarise"),
    ("companies", "report_companies_rebase"),
}


@pytest.fixture
def scratch_url(database_url: URL) -> Iterator[URL]:
    """An empty throwaway database next to the test database, dropped afterwards."""
    url = database_url.set(database=f"{database_url.database}_migrations")
    recreate_database(url)
    yield url
    drop_database(url)


@pytest.fixture
def scratch_engine(scratch_url: URL) -> Iterator[Engine]:
    engine = create_engine(scratch_url)
    yield engine
    engine.dispose()


def _triggers(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        # pg_trigger, not information_schema.triggers, which omits TRUNCATE triggers.
        rows = conn.execute(
            text("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal")
        )
        return {tuple(row) for row in rows}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_migrations_round_trip_and_match_the_models(scratch_url, scratch_engine):
    config = alembic_config(scratch_url)

    command.upgrade(config, "head")
    assert _tables(scratch_engine) == {*Base.metadata.tables, "alembic_version"}
    assert _triggers(scratch_engine) == TRIGGERS

    command.downgrade(config, "base")
    assert _tables(scratch_engine) == {"alembic_version"}
    assert _triggers(scratch_engine) == set()
    with scratch_engine.connect() as conn:
        functions = (
            conn.execute(
                text("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
            )
            .scalars()
            .all()
        )
    assert functions == []

    command.upgrade(config, "head")
    with scratch_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrations_have_a_single_head(database_url):
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert len(script.get_heads()) == 1


def test_tax_categories_become_en_16931_codes_and_back(scratch_url, scratch_engine):
    config = alembic_config(scratch_url)
    command.upgrade(config, "0004")
    with scratch_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tax_rates (id, name, percentage, category, country, is_active) VALUES"
                " (1, 'Standard', 19, 'standard', 'DE', true),"
                " (2, 'Reduced', 7, 'reduced', 'DE', true),"
                " (3, 'Reverse', 0, 'reverse_charge', 'DE', true),"
                " (4, 'Exempt', 0, 'exempt', 'DE', true)"
            )
        )
    command.upgrade(config, "head")
    with scratch_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT category, exemption_code, exemption_reason FROM tax_rates ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("S", None, ""),
        ("S", None, ""),
        ("AE", "VATEX-EU-AE", "Reverse charge"),
        ("E", None, "Exempt from VAT"),
    ]
    command.downgrade(config, "0004")
    with scratch_engine.connect() as conn:
        categories = conn.execute(text("SELECT category FROM tax_rates ORDER BY id")).scalars()
        assert list(categories) == ["standard", "standard", "reverse_charge", "exempt"]


def _insert_issued_invoices(conn) -> None:
    """At 0010: a company with two series; issued, void and draft invoices in the first."""
    conn.execute(
        text(
            "INSERT INTO companies (id, name, address, country, base_currency,"
            " default_payment_terms_days, credit_note_approval_threshold, created_at,"
            " require_two_factor) VALUES (1, 'C', '', 'DE', 'EUR', 30, 1000, now(), false);"
            "INSERT INTO customers (id, company_id, name, address, city, postal_code, country,"
            " email, currency, payment_terms_days, language, created_at, updated_at,"
            " einvoice_format) VALUES (1, 1, 'K', '', '', '', 'DE', 'k@example.com', 'EUR', 30,"
            " 'en', now(), now(), 'none');"
            "INSERT INTO numbering_series (id, company_id, code, kind, prefix, padding,"
            " last_number, is_default) VALUES (1, 1, 'INV', 'invoice', 'INV-', 6, 3, true),"
            " (2, 1, 'CN', 'credit_note', 'CN-', 6, 0, true)"
        )
    )
    invoices = [
        ("issued", 1, "2026-03-01"),
        ("void", 2, "2026-03-05"),  # voiding keeps the number and its date
        ("paid", 3, "2026-03-04"),
        ("draft", None, "2026-04-01"),  # not issued: no number, no date to follow
    ]
    for status, number, issue_date in invoices:
        conn.execute(
            text(
                "INSERT INTO invoices (company_id, customer_id, kind, status, series_id, number,"
                " issue_date, currency, exchange_rate, po_reference, notes, terms, net_amount,"
                " tax_amount, total_amount, paid_amount, credited_amount, version, created_at,"
                " updated_at, void_reason) VALUES (1, 1, 'invoice', :status, :series, :number,"
                " CAST(:day AS date), 'EUR', 1, '', '', '', 0, 0, 0, 0, 0, 1, now(), now(), '')"
            ),
            {"status": status, "series": number and 1, "number": number, "day": issue_date},
        )


def test_counters_learn_the_last_issue_date_of_their_series(scratch_url, scratch_engine):
    config = alembic_config(scratch_url)
    command.upgrade(config, "0014")
    with scratch_engine.begin() as conn:
        _insert_issued_invoices(conn)
    command.upgrade(config, "0015")
    with scratch_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT code, last_issue_date::text FROM numbering_series ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [("INV", "2026-03-05"), ("CN", None)]
    command.downgrade(config, "0014")


def test_refunds_due_become_customer_credit(scratch_url, scratch_engine):
    config = alembic_config(scratch_url)
    command.upgrade(config, "0015")
    with scratch_engine.begin() as conn:
        _insert_issued_invoices(conn)
        # Invoice 3: 119.00 paid, then credited in full before customer credit existed.
        # (Written around the frozen-invoice trigger: the test sets its totals after issue.)
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text(
                "UPDATE invoices SET reference = 'INV-3', total_amount = 119, paid_amount = 119,"
                " credited_amount = 119 WHERE number = 3;"
                "INSERT INTO payments (invoice_id, payment_date, amount, method, reference,"
                " source, created_at) SELECT id, '2026-03-04', 119, 'card', 'R', 'manual', now()"
                " FROM invoices WHERE number = 3"
            )
        )
    command.upgrade(config, "0020")
    with scratch_engine.connect() as conn:
        invoice = conn.execute(
            text(
                "SELECT id, status, paid_amount, total_amount - paid_amount - credited_amount,"
                " version FROM invoices WHERE number = 3"
            )
        ).one()
        moved = conn.execute(
            text("SELECT company_id, amount, method FROM payments ORDER BY id")
        ).all()
        credit = conn.execute(
            text(
                "SELECT e.customer_id, e.amount, e.kind, e.currency, p.invoice_id"
                " FROM customer_credit_entries e JOIN payments p ON p.id = e.payment_id"
            )
        ).all()
    assert tuple(invoice)[1:] == ("paid", 0, 0, 2)
    assert [tuple(row) for row in moved] == [(1, 119, "card"), (1, -119, "customer_credit")]
    assert [tuple(row) for row in credit] == [(1, 119, "credit_note", "EUR", invoice.id)]

    command.downgrade(config, "0015")  # a refund due again
    with scratch_engine.connect() as conn:
        invoice = conn.execute(
            text(
                "SELECT status, paid_amount, total_amount - paid_amount - credited_amount"
                " FROM invoices WHERE number = 3"
            )
        ).one()
        payments = conn.execute(text("SELECT amount FROM payments")).scalars().all()
    assert tuple(invoice) == ("paid", 119, -119)
    assert payments == [119]


def _bank_refs(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        query = text("SELECT bank_reference FROM bank_transactions ORDER BY id")
        return conn.execute(query).scalars().all()


def test_bank_lines_imported_before_0026_are_still_known_after_it(scratch_url, scratch_engine):
    # Lines derived their key without the payer before 0026; it rewrites them as the import
    # now derives them, so importing an old file again finds its lines.
    config = alembic_config(scratch_url)
    command.upgrade(config, "head")
    head = "Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\n"
    lines = [
        "02.03.2026;119,00;EUR;Rechnung;Alice GmbH;DE02120300000000202051\n",
        "02.03.2026;119,00;EUR;Rechnung;Alice GmbH;DE02120300000000202051\n",
        "02.03.2026;119,00;EUR;Rechnung;Bob AG;FR7630006000011234567890189\n",
    ]
    statement = (head + "".join(lines)).encode()
    with Session(scratch_engine) as session:
        company = factories.make_company(session)
        finance = factories.make_user(session, Role.FINANCE, companies=[company])
        account = factories.make_bank_account(session, company)
        importing.import_statement(session, finance, account, statement, "csv")
        session.commit()
        ids = account.id, finance.id
    derived_now = _bank_refs(scratch_engine)

    command.downgrade(config, "0025")
    fingerprint = "2026-03-02|C119.00|EUR|RECHNUNG"
    before = [
        "derived:" + hashlib.sha256(f"{fingerprint}|{n}".encode()).hexdigest()[:32]
        for n in range(3)
    ]
    assert _bank_refs(scratch_engine) == before

    command.upgrade(config, "0026")
    assert _bank_refs(scratch_engine) == derived_now
    with Session(scratch_engine) as session:
        account, finance = session.get(BankAccount, ids[0]), session.get(User, ids[1])
        again = importing.import_statement(session, finance, account, statement, "csv")
    assert (again.imported, again.already_known) == (0, 3)

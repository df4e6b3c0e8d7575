"""Alembic migrations: they round-trip and produce exactly what the models describe."""

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL

from models import Base
from tests.conftest import alembic_config, drop_database, recreate_database

TRIGGERS = {
    ("audit_events", "audit_events_append_only"),
    ("audit_events", "audit_events_no_truncate"),
    ("invoice_lines", "invoice_lines_guard_frozen"),
    ("invoice_tax_totals", "invoice_tax_totals_guard_frozen"),
    ("invoices", "invoices_guard_frozen"),
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

"""Declarative base and column conventions shared by every model."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, Index, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic can drop and compare them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Amounts carry up to 3 decimals (BHD); unit prices and quantities carry more so a price of
# 0.0125 per unit survives until the line is rounded.
Money = Numeric(18, 3)
Price = Numeric(18, 6)
Quantity = Numeric(18, 4)
Rate = Numeric(7, 4)
ExchangeRate = Numeric(18, 8)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def trigram_index(table: str, column: str) -> Index:
    """A GIN trigram index (pg_trgm): the only kind that serves ILIKE '%fragment%'."""
    return Index(
        f"ix_{table}_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        Decimal: Money,
    }

"""Sellable products and the tax rates they default to."""

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Price, Rate
from .company import Company
from .enums import TaxCategory, check_in

# The categories taxed at 0 %, as SQL: zero rated, exempt, reverse charge, intra-community,
# export, not subject.
ZERO_RATE_CATEGORIES = "('Z', 'E', 'AE', 'K', 'G', 'O')"


class TaxRate(Base):
    __tablename__ = "tax_rates"
    __table_args__ = (
        UniqueConstraint("country", "name"),
        CheckConstraint("percentage >= 0 AND percentage <= 100", name="percentage_range"),
        CheckConstraint(check_in("category", TaxCategory), name="category"),
        CheckConstraint(
            f"category NOT IN {ZERO_RATE_CATEGORIES} OR percentage = 0",
            name="zero_categories_have_zero_rate",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    percentage: Mapped[Decimal] = mapped_column(Rate)
    category: Mapped[str] = mapped_column(String(20), default=TaxCategory.STANDARD.value)
    # EN 16931 BT-121/BT-120: why a rate is exempt, printed on the invoice and sent in its XML.
    exemption_code: Mapped[str | None] = mapped_column(String(30))
    exemption_reason: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[str] = mapped_column(String(2))
    is_active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.percentage.normalize():f}%)"


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("company_id", "code"),
        CheckConstraint("unit_price >= 0", name="unit_price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20), default="unit")
    unit_price: Mapped[Decimal] = mapped_column(Price)
    default_tax_rate_id: Mapped[int | None] = mapped_column(ForeignKey("tax_rates.id"))
    is_active: Mapped[bool] = mapped_column(default=True)

    company: Mapped[Company] = relationship()
    default_tax_rate: Mapped[TaxRate | None] = relationship()

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

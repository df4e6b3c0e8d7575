"""Accounting sync: connections to providers, per-company mappings, and one record per push."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .company import Company
from .enums import (
    ConnectionStatus,
    PaymentMethod,
    SyncProvider,
    SyncRecordType,
    SyncStatus,
    check_in,
)
from .product import TaxRate


class AccountingConnection(Base):
    """A company's OAuth 2.0 connection to one provider; secrets are Fernet tokens, never plain.

    backoffice/services/sync/secrets.py seals and opens them with SYNC_ENCRYPTION_KEY, which
    lives in the deployment's settings, never in the database.
    """

    __tablename__ = "accounting_connections"
    __table_args__ = (
        UniqueConstraint("company_id", "provider"),
        CheckConstraint(check_in("provider", SyncProvider), name="provider"),
        CheckConstraint(check_in("status", ConnectionStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ConnectionStatus.CONNECTED.value)
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_sealed: Mapped[str] = mapped_column(Text)
    access_token_sealed: Mapped[str | None] = mapped_column(Text)
    refresh_token_sealed: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None]
    # Which books of the provider: Xero's tenant id, QuickBooks' realm id, MYOB's company file.
    tenant_id: Mapped[str] = mapped_column(String(100), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()

    def __str__(self) -> str:
        return f"{self.provider} ({self.status})"


class AccountingMapping(Base):
    """Where a company's sales land in one provider's books: accounts and tax types."""

    __tablename__ = "accounting_mappings"
    __table_args__ = (
        UniqueConstraint("company_id", "provider"),
        CheckConstraint(check_in("provider", SyncProvider), name="provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    provider: Mapped[str] = mapped_column(String(20))
    sales_account_code: Mapped[str] = mapped_column(String(50), default="")

    tax_types: Mapped[list["TaxTypeMapping"]] = relationship(
        back_populates="mapping", cascade="all, delete-orphan"
    )
    payment_accounts: Mapped[list["PaymentAccountMapping"]] = relationship(
        back_populates="mapping", cascade="all, delete-orphan"
    )


class TaxTypeMapping(Base):
    """A local tax rate as the provider names it (Xero's TaxType, QuickBooks' TaxCode id)."""

    __tablename__ = "accounting_tax_types"
    __table_args__ = (UniqueConstraint("mapping_id", "tax_rate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mapping_id: Mapped[int] = mapped_column(
        ForeignKey("accounting_mappings.id", ondelete="CASCADE")
    )
    tax_rate_id: Mapped[int] = mapped_column(ForeignKey("tax_rates.id", ondelete="RESTRICT"))
    tax_type: Mapped[str] = mapped_column(String(50))

    mapping: Mapped[AccountingMapping] = relationship(back_populates="tax_types")
    tax_rate: Mapped[TaxRate] = relationship()


class PaymentAccountMapping(Base):
    """The bank or clearing account that receives payments of one method."""

    __tablename__ = "accounting_payment_accounts"
    __table_args__ = (
        UniqueConstraint("mapping_id", "method"),
        CheckConstraint(check_in("method", PaymentMethod), name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mapping_id: Mapped[int] = mapped_column(
        ForeignKey("accounting_mappings.id", ondelete="CASCADE")
    )
    method: Mapped[str] = mapped_column(String(20))
    account_code: Mapped[str] = mapped_column(String(50))

    mapping: Mapped[AccountingMapping] = relationship(back_populates="payment_accounts")


class SyncRecord(Base):
    """One local record in one provider: what was pushed, and how the last push went."""

    __tablename__ = "sync_records"
    __table_args__ = (
        # One per record and provider; also how a record's page finds its sync state.
        UniqueConstraint("company_id", "record_type", "record_id", "provider"),
        CheckConstraint(check_in("provider", SyncProvider), name="provider"),
        CheckConstraint(check_in("record_type", SyncRecordType), name="record_type"),
        CheckConstraint(check_in("status", SyncStatus), name="status"),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        # The failures screen: a company's failed and conflicting records, latest first.
        Index("ix_sync_records_company_status", "company_id", "status", "updated_at"),
        # The catch-up pass: pending records whose job may have been lost, oldest first.
        Index(
            "ix_sync_records_pending",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    provider: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=SyncStatus.PENDING.value)
    remote_id: Mapped[str | None] = mapped_column(String(100))
    # The provider's own version of the remote record, where it has one (QuickBooks' SyncToken).
    remote_version: Mapped[str | None] = mapped_column(String(40))
    # The last pushed version: a digest of the payload the provider accepted. A payload that
    # digests differently now is pushed as an update of remote_id.
    pushed_digest: Mapped[str | None] = mapped_column(String(64))
    # Sent with every attempt of one push, so a retry after a timeout creates nothing twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    # The last attempt ended without an answer (timeout, 5xx): the provider may have acted.
    # The next attempt resends last_payload under the same key, so it acts at most once.
    is_in_doubt: Mapped[bool] = mapped_column(default=False)
    # Bumped whenever the record is asked for again; part of the job id (sync-<id>-r<count>).
    request_count: Mapped[int] = mapped_column(default=1)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The JSON last sent, exactly as sent (amounts as exact decimals): shown with the error,
    # and resent as it was after an attempt in doubt.
    last_payload: Mapped[str | None] = mapped_column(Text)
    # Not before this time (a provider's Retry-After); the catch-up counts from it.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()

    def __str__(self) -> str:
        return f"{self.record_type} #{self.record_id} → {self.provider}: {self.status}"

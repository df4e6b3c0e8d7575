"""Bulk runs: one action over many invoices (issue, send, ZIP of PDFs), worked by a job item by
item, each item's outcome kept so a crashed run resumes where it stopped."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .company import Company
from .enums import BulkItemState, BulkKind, BulkState, check_in
from .invoice import Invoice
from .user import User

# Runs a worker should be working on: the relay makes sure each has its job.
ACTIVE_RUNS = "state IN ('queued', 'running')"


class BulkRun(Base):
    __tablename__ = "bulk_runs"
    __table_args__ = (
        CheckConstraint(check_in("kind", BulkKind), name="kind"),
        CheckConstraint(check_in("state", BulkState), name="state"),
        CheckConstraint(
            "done_count >= 0 AND failed_count >= 0 AND done_count + failed_count <= total_count",
            name="counts",
        ),
        # The runs screen, newest first: a company's, or every one (admins).
        Index("ix_bulk_runs_company_created", "company_id", "created_at", "id"),
        Index("ix_bulk_runs_created", "created_at", "id"),
        Index("ix_bulk_runs_active", "created_at", postgresql_where=text(ACTIVE_RUNS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=BulkState.QUEUED.value)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancel_requested_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Kept on the run, moved in each item's transaction: the progress bar reads one row.
    total_count: Mapped[int] = mapped_column(default=0)
    done_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    # Why the job itself stopped (not an item's failure), in words for the run's page.
    error: Mapped[str] = mapped_column(Text, default="")
    archive_key: Mapped[str | None] = mapped_column(String(300))  # the ZIP, once built

    company: Mapped[Company] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])

    @property
    def left_count(self) -> int:
        return self.total_count - self.done_count - self.failed_count

    def __str__(self) -> str:
        return f"Bulk run {self.id}"


class BulkRunItem(Base):
    __tablename__ = "bulk_run_items"
    __table_args__ = (
        UniqueConstraint("run_id", "invoice_id"),
        CheckConstraint(check_in("state", BulkItemState), name="state"),
        # The next item to work (and the page's failures), in the run's order.
        Index("ix_bulk_run_items_run_state", "run_id", "state", "position"),
        Index("ix_bulk_run_items_invoice", "invoice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("bulk_runs.id", ondelete="CASCADE"))
    position: Mapped[int]
    # A draft deleted after the run was started leaves its item, with no invoice, behind.
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default=BulkItemState.PENDING.value)
    # What happened, in words: why it failed, or why nothing needed doing.
    reason: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None]

    invoice: Mapped[Invoice | None] = relationship()

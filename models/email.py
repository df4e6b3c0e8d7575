"""The outbox: every email is a row first, written with the action that causes it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .enums import EmailPurpose, EmailStatus, check_in
from .invoice import Invoice


class EmailMessage(Base):
    __tablename__ = "email_messages"
    __table_args__ = (
        CheckConstraint(check_in("purpose", EmailPurpose), name="purpose"),
        CheckConstraint(check_in("status", EmailStatus), name="status"),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        Index("ix_email_messages_invoice", "invoice_id"),
        Index("ix_email_messages_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    purpose: Mapped[str] = mapped_column(String(20))
    # One message per purpose and occasion: a repeated request finds the row already there.
    unique_key: Mapped[str] = mapped_column(String(120), unique=True)
    recipients: Mapped[str] = mapped_column(String(1000))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    attach_invoice_pdf: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(20), default=EmailStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    invoice: Mapped[Invoice | None] = relationship()

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipients}"

"""Documents of issued invoices (PDF, e-invoices), stored once per kind and content version."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .enums import DocumentKind, check_in
from .invoice import Invoice


class StoredDocument(Base):
    __tablename__ = "stored_documents"
    __table_args__ = (
        UniqueConstraint("invoice_id", "kind", "content_version"),
        CheckConstraint(check_in("kind", DocumentKind), name="kind"),
        CheckConstraint("char_length(sha256) = 64", name="sha256_hex"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20), default=DocumentKind.PDF.value)
    # Bumped only when the document itself must change (a new template for the same
    # invoice); an issued invoice's content never changes.
    content_version: Mapped[int] = mapped_column(default=1)
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    invoice: Mapped[Invoice] = relationship()

    def __str__(self) -> str:
        return self.storage_key


class DocumentFailure(Base):
    """Why an issued invoice's document could not be made; gone once it is made after all.

    Only failures a retry cannot mend are kept (the render ran out of time, the renderer
    refused the document): the invoice page shows them, and waiting emails fail with them.
    """

    __tablename__ = "document_failures"
    __table_args__ = (
        UniqueConstraint("invoice_id", "kind", "content_version"),
        CheckConstraint(check_in("kind", DocumentKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    content_version: Mapped[int]
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)

"""E-invoices of issued documents: made on demand, stored beside the PDF, attached to emails."""

import logging

import facturx
from sqlalchemy.orm import Session

from models import DocumentKind, EInvoiceFormat, Invoice

from ..delivery import documents
from ..delivery.mailer import Attachment
from ..delivery.storage import DocumentStorage
from ..errors import DomainError
from .cii import to_cii
from .content import e_invoice
from .ubl import to_ubl

log = logging.getLogger(__name__)
KINDS = {EInvoiceFormat.FACTURX: DocumentKind.FACTURX, EInvoiceFormat.UBL: DocumentKind.UBL}


def facturx_pdf(invoice: Invoice, pdf: bytes) -> bytes:
    """The invoice PDF with its CII XML embedded (Factur-X 1.0 / ZUGFeRD 2, EN 16931 profile);
    the XML is checked against the Factur-X XSD on the way in."""
    return facturx.generate_from_binary(
        pdf,
        to_cii(e_invoice(invoice)),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        lang=(invoice.buyer_details or {}).get("language") or "en",
    )


def ensure_einvoice(
    session: Session, storage: DocumentStorage, invoice_id: int, kind: DocumentKind
):
    """Make and store an issued document's e-invoice unless it already is. Factur-X is made
    from the stored PDF, which only the render job makes."""
    if kind == DocumentKind.UBL:
        return documents.ensure_document(
            session, storage, invoice_id, kind, lambda invoice: to_ubl(e_invoice(invoice))
        )
    if kind != DocumentKind.FACTURX:
        raise ValueError(f"{kind} is not an e-invoice")

    def make(invoice: Invoice) -> bytes:
        pdf = documents.stored_invoice_pdf(session, storage, invoice.id)
        if pdf is None:
            raise DomainError(f"The PDF of {invoice.reference} is not rendered yet.")
        return facturx_pdf(invoice, storage.get(pdf.storage_key))

    return documents.ensure_document(session, storage, invoice_id, kind, make)


def email_attachments(
    session: Session, storage: DocumentStorage, invoice: Invoice
) -> list[Attachment] | None:
    """What an invoice email carries: the PDF, as Factur-X or with UBL beside it when the
    customer asked for an e-invoice. One EN 16931 cannot carry (a 3-decimal currency) goes
    out as the plain PDF, and the log says why.

    None while the PDF is not stored: its render job is asked for (again, in case Redis lost
    it) and the email waits, since rendering here would hold up every email behind one large
    invoice. Raises RenderFailed when the PDF could not be rendered.
    """
    pdf = documents.stored_invoice_pdf(session, storage, invoice.id)
    if pdf is None:
        failure = documents.find_failure(session, invoice.id)
        if failure is not None:
            raise documents.RenderFailed(
                f"Not sent: the PDF of {invoice.reference} could not be rendered: {failure.error}"
            )
        documents.request_render(session, invoice)
        return None
    plain = Attachment(documents.filename(invoice), "application/pdf", storage.get(pdf.storage_key))
    wanted = EInvoiceFormat(invoice.customer.einvoice_format)
    if wanted == EInvoiceFormat.NONE:
        return [plain]
    try:
        stored = ensure_einvoice(session, storage, invoice.id, KINDS[wanted])
    except DomainError as exc:
        log.warning("Sending %s without its e-invoice: %s", invoice.reference, exc.message)
        return [plain]
    einvoice = Attachment(
        documents.filename(invoice, KINDS[wanted]),
        stored.content_type,
        storage.get(stored.storage_key),
    )
    # Factur-X is the PDF itself, readable by people and machines alike.
    return [einvoice] if wanted == EInvoiceFormat.FACTURX else [plain, einvoice]

"""The invoice screen's delivery part: the stored PDF, and email through the outbox."""

import io

from flask import abort, flash, redirect, send_file
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select

from models import DocumentKind, EmailMessage, Invoice

from ...extensions import db, document_store
from ...services.delivery import documents, outbox
from ...services.einvoicing import documents as einvoices
from ...services.errors import DomainError
from ...services.permissions import Action
from ..confirmed import ConfirmedActionsMixin, flash_if_delayed


class DeliveryMixin(ConfirmedActionsMixin):
    """Endpoints mixed into InvoiceAdmin; role checks come from its endpoint_actions."""

    delivery_actions = {"send_view": Action.SEND, "resend_view": Action.RESEND}

    @expose("/send/<int:invoice_id>", methods=("POST",))
    def send_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda inv: outbox.queue_invoice_email(db.session, current_user, inv),
            "{invoice.reference} is queued for email to {result.recipients}.",
        )

    @expose("/resend/<int:invoice_id>", methods=("POST",))
    def resend_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda inv: outbox.queue_invoice_email(db.session, current_user, inv, resend=True),
            "{invoice.reference} is queued to be emailed again to {result.recipients}.",
        )

    @expose("/pdf/<int:invoice_id>")
    def pdf_view(self, invoice_id: int):
        return self._download(invoice_id, DocumentKind.PDF)

    @expose("/einvoice/<kind>/<int:invoice_id>")
    def einvoice_view(self, kind: str, invoice_id: int):
        if kind not in (DocumentKind.FACTURX, DocumentKind.UBL):
            abort(404)
        return self._download(invoice_id, DocumentKind(kind))

    def _download(self, invoice_id: int, kind: DocumentKind):
        invoice = self.get_one(invoice_id)  # scoped: another company's invoice is not found
        if invoice is None or invoice.is_draft:
            flash("Only issued invoices you may see have documents.", "error")
            return redirect(self.get_url(".index_view"))
        store = document_store()
        pdf = documents.stored_invoice_pdf(db.session, store, invoice.id)
        # The PDF renders in a worker, never in a request; Factur-X is made from it.
        if kind != DocumentKind.UBL and pdf is None:
            failure = documents.find_failure(db.session, invoice.id)
            if failure is not None:
                flash(
                    f"The PDF of {invoice.reference} could not be rendered: {failure.error}.",
                    "error",
                )
                return redirect(self.get_url(".details_view", id=invoice.id))
            documents.request_render(db.session, invoice)
            db.session.commit()
            flash(
                f"The PDF of {invoice.reference} is being prepared; try again in a moment.", "info"
            )
            flash_if_delayed()
            return redirect(self.get_url(".details_view", id=invoice.id))
        try:
            document = (
                pdf
                if kind == DocumentKind.PDF
                else einvoices.ensure_einvoice(db.session, store, invoice.id, kind)
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(self.get_url(".details_view", id=invoice.id))
        # Bytes, not a path: any storage backend (an S3 bucket too) can serve them.
        return send_file(
            io.BytesIO(store.get(document.storage_key)),
            mimetype=document.content_type,
            as_attachment=True,
            download_name=documents.filename(invoice, kind),
        )


def delivery_state(invoice: Invoice) -> dict:
    """What the details page shows about the invoice's document and emails."""
    messages = db.session.scalars(
        select(EmailMessage)
        .where(EmailMessage.invoice_id == invoice.id)
        .order_by(EmailMessage.id.desc())
    ).all()
    return {
        "emails": messages,
        "document": documents.find_invoice_pdf(db.session, invoice.id),
        "failure": documents.find_failure(db.session, invoice.id),
    }

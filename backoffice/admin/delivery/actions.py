"""The invoice screen's delivery part: the stored PDF, and email through the outbox."""

import io

from flask import flash, redirect, send_file
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select

from models import EmailMessage, Invoice

from ...extensions import db, document_store
from ...services.delivery import documents, outbox
from ...services.permissions import Action
from ..confirmed import ConfirmedActionsMixin


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
        invoice = self.get_one(invoice_id)  # scoped: another company's invoice is not found
        if invoice is None or invoice.is_draft:
            flash("Only issued invoices you may see have a PDF.", "error")
            return redirect(self.get_url(".index_view"))
        document = documents.find_invoice_pdf(db.session, invoice.id)
        store = document_store()
        if document is None or not store.exists(document.storage_key):
            documents.request_render(db.session, invoice)
            db.session.commit()
            flash(
                f"The PDF of {invoice.reference} is being prepared; try again in a moment.", "info"
            )
            return redirect(self.get_url(".details_view", id=invoice.id))
        # Bytes, not a path: any storage backend (an S3 bucket too) can serve them.
        return send_file(
            io.BytesIO(store.get(document.storage_key)),
            mimetype="application/pdf",
            as_attachment=True,
            download_name=f"{invoice.reference}.pdf",
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
    }

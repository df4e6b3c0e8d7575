"""The invoice screen's delivery part: the stored PDF, and email through the outbox."""

import io

from flask import abort, flash, jsonify, redirect, send_file
from flask_admin import expose
from flask_login import current_user

from models import DocumentKind, Invoice

from ...extensions import db, document_store
from ...services.delivery import documents, outbox, retry
from ...services.delivery.status import Delivery, State, invoice_deliveries
from ...services.einvoicing import documents as einvoices
from ...services.errors import DomainError
from ...services.permissions import Action, can
from ..confirmed import ConfirmedActionsMixin, flash_if_delayed
from ..formatting import format_timestamp
from ..payments.card_link import stripe_settings


class DeliveryMixin(ConfirmedActionsMixin):
    """Endpoints mixed into InvoiceAdmin; role checks come from its endpoint_actions."""

    delivery_actions = {
        "send_view": Action.SEND,
        "resend_view": Action.RESEND,
        "retry_view": Action.RETRY_JOBS,
    }

    @expose("/send/<int:invoice_id>", methods=("POST",))
    def send_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda inv: outbox.queue_invoice_email(
                db.session, current_user, inv, stripe_settings=stripe_settings()
            ),
            "{invoice.reference} is queued for email to {result.recipients}.",
        )

    @expose("/resend/<int:invoice_id>", methods=("POST",))
    def resend_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda inv: outbox.queue_invoice_email(
                db.session, current_user, inv, resend=True, stripe_settings=stripe_settings()
            ),
            "{invoice.reference} is queued to be emailed again to {result.recipients}.",
        )

    def inaccessible_callback(self, name: str, **kwargs):
        if name == "delivery_view" and not current_user.is_authenticated:
            abort(401)  # asked by the page's script: a login page would not help it
        return super().inaccessible_callback(name, **kwargs)

    @expose("/retry/<int:invoice_id>", methods=("POST",))
    def retry_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda inv: " and ".join(retry.retry_failed(db.session, current_user, inv)),
            "Retrying {result} of {invoice.reference} now.",
            check_version=False,
        )

    @expose("/delivery/<int:invoice_id>")
    def delivery_view(self, invoice_id: int):
        """The delivery state as JSON, polled by the invoice page while something is pending."""
        invoice = self.get_one(invoice_id)  # scoped: another company's invoice is not found
        if invoice is None:
            abort(404)
        response = jsonify(delivery_state(invoice))
        response.headers["Cache-Control"] = "no-store"
        return response

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


BADGES = {
    "pdf": {State.PENDING: "rendering", State.DELIVERED: "ready", State.FAILED: "failed"},
    "email": {State.PENDING: "sending", State.DELIVERED: "delivered", State.FAILED: "failed"},
}


def _note(item: Delivery) -> str:
    if item.state == State.DELIVERED:
        return f"{'Stored' if item.key == 'pdf' else 'Sent'} {format_timestamp(item.at)}"
    if item.state == State.PENDING:
        return "Being rendered" if item.key == "pdf" else "Waiting to be sent"
    if item.key == "pdf":
        return f"Failed {format_timestamp(item.at)}"
    return f"Failed after {item.attempts} attempt{'s' if item.attempts != 1 else ''}"


def delivery_state(invoice: Invoice) -> dict:
    """The PDF and the emails as the page shows them, and as its script polls them."""
    items = invoice_deliveries(db.session, invoice)
    may_retry = can(current_user, Action.RETRY_JOBS)
    return {
        "items": [
            {
                "key": item.key,
                "what": item.what,
                "state": item.state.value,
                "badge": BADGES["pdf" if item.key == "pdf" else "email"][item.state],
                "note": _note(item),
                "error": item.error,
            }
            for item in items
        ],
        "status": invoice.status.replace("_", " "),
        "pending": any(item.state == State.PENDING for item in items),
        "may_retry": may_retry,
        "can_retry": may_retry and any(item.state == State.FAILED for item in items),
    }

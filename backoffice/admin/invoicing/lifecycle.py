"""The invoice screen's lifecycle buttons: issue, void and credit, each a confirmed POST."""

from datetime import date

from flask import request
from flask_admin import expose
from flask_login import current_user

from models import Invoice

from ...extensions import db
from ...services.invoicing import approvals, lifecycle
from ...services.permissions import Action
from ..confirmed import ConfirmedActionsMixin


class LifecycleMixin(ConfirmedActionsMixin):
    """Endpoints mixed into InvoiceAdmin; role checks come from its endpoint_actions."""

    lifecycle_actions = {
        "issue_view": Action.ISSUE,
        "void_view": Action.VOID,
        "credit_view": Action.CREDIT,
        "approve_view": Action.APPROVE,
    }

    @expose("/issue/<int:invoice_id>", methods=("POST",))
    def issue_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda inv: lifecycle.issue(db.session, current_user, inv, date.today()),
            "Issued {invoice.reference}.",
        )

    @expose("/void/<int:invoice_id>", methods=("POST",))
    def void_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda inv: lifecycle.void(
                db.session, current_user, inv, request.form.get("reason", "")
            ),
            "Voided {invoice.reference}.",
        )

    @expose("/credit/<int:invoice_id>", methods=("POST",))
    def credit_view(self, invoice_id: int):
        if request.form.get("mode") == "full":
            return self.run_confirmed(
                invoice_id,
                lambda inv: lifecycle.credit_in_full(db.session, current_user, inv, date.today()),
                _credited,
            )
        return self.run_confirmed(
            invoice_id,
            lambda inv: lifecycle.create_credit_note(db.session, current_user, inv),
            "Draft credit note opened: adjust its lines, then issue it.",
        )

    @expose("/approve/<int:invoice_id>", methods=("POST",))
    def approve_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda note: approvals.approve(db.session, current_user, note),
            "Approved {invoice}: finance may issue it now.",
        )


def _credited(invoice: Invoice, note: Invoice) -> str:
    """What crediting in full did: issued the note, or left it for a manager to approve."""
    if note.is_draft:
        return f"Credit note for {invoice.reference} drafted. {approvals.missing_approval(note)}"
    return f"Issued credit note {note.reference} for {invoice.reference}."

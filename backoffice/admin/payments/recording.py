"""The invoice screen's payment form: a payment or a refund, as a confirmed POST."""

from datetime import date

from flask import request
from flask_admin import expose
from flask_login import current_user

from models import Invoice, PaymentMethod

from ...extensions import db
from ...services.errors import DomainError
from ...services.payments import ledger
from ...services.permissions import Action
from ..confirmed import ConfirmedActionsMixin


class PaymentMixin(ConfirmedActionsMixin):
    """Endpoints mixed into InvoiceAdmin; role checks come from its endpoint_actions."""

    payment_actions = {"pay_view": Action.RECORD_PAYMENT}

    @expose("/pay/<int:invoice_id>", methods=("POST",))
    def pay_view(self, invoice_id: int):
        form = request.form
        record = ledger.record_refund if form.get("kind") == "refund" else ledger.record_payment

        def act(inv: Invoice):
            try:
                paid_on = date.fromisoformat(form.get("payment_date") or date.today().isoformat())
            except ValueError:
                raise DomainError("The payment date must be a date (YYYY-MM-DD).") from None
            return record(
                db.session,
                current_user,
                inv,
                form.get("amount", ""),
                paid_on,
                method=form.get("method", PaymentMethod.BANK_TRANSFER.value),
                reference=form.get("reference", ""),
            )

        return self.run_confirmed(
            invoice_id, act, "Recorded {result.amount} on {invoice.reference}."
        )

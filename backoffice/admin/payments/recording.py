"""The invoice screen's payment forms: pay or refund, reverse, apply credit; confirmed POSTs."""

from datetime import date
from typing import Any

from flask import flash, request
from flask_admin import expose
from flask_login import current_user

from models import Invoice, Payment, PaymentMethod

from ...extensions import db
from ...services.errors import DomainError
from ...services.money import format_money
from ...services.payments import customer_credit, ledger, reversal
from ...services.payments.bank.references import printed_creditor_reference
from ...services.permissions import Action, can
from ..confirmed import ConfirmedActionsMixin
from ..secured import MAX_ID

# Money from outside: what the payment form offers (customer credit has its own button).
RECORDED_METHODS = [method for method in PaymentMethod if method != PaymentMethod.CUSTOMER_CREDIT]


def _form_date() -> date:
    try:
        return date.fromisoformat(request.form.get("payment_date") or date.today().isoformat())
    except ValueError:
        raise DomainError("The payment date must be a date (YYYY-MM-DD).") from None


def payment_context(invoice: Invoice) -> dict[str, Any]:
    """What the invoice page's payment parts show: forms offered and credit to apply."""
    may_pay = can(current_user, Action.RECORD_PAYMENT)
    return {
        "payment_methods": RECORDED_METHODS,
        "may_reverse": may_pay,
        "credit_available": customer_credit.applicable(db.session, invoice),
        "may_apply_credit": may_pay,
        "creditor_reference": printed_creditor_reference(invoice.id),
    }


class PaymentMixin(ConfirmedActionsMixin):
    """Endpoints mixed into InvoiceAdmin; role checks come from its endpoint_actions."""

    payment_actions = {
        "pay_view": Action.RECORD_PAYMENT,
        "reverse_view": Action.RECORD_PAYMENT,
        "apply_credit_view": Action.RECORD_PAYMENT,
    }

    @expose("/pay/<int:invoice_id>", methods=("POST",))
    def pay_view(self, invoice_id: int):
        form = request.form
        refund = form.get("kind") == "refund"

        def act(inv: Invoice):
            options = {} if refund else {"excess_to_credit": form.get("excess_to_credit") == "1"}
            record = ledger.record_refund if refund else ledger.record_payment
            paid_before = inv.paid_amount
            payment = record(
                db.session,
                current_user,
                inv,
                form.get("amount", ""),
                _form_date(),
                method=form.get("method", PaymentMethod.BANK_TRANSFER.value),
                reference=form.get("reference", ""),
                **options,
            )
            if (kept := payment.amount - (inv.paid_amount - paid_before)) > 0:
                flash(f"{format_money(kept, inv.currency)} of it is kept as customer credit.")
            return payment

        return self.run_confirmed(
            invoice_id, act, "Recorded {result.amount} on {invoice.reference}."
        )

    @expose("/reverse/<int:invoice_id>/<int:payment_id>", methods=("POST",))
    def reverse_view(self, invoice_id: int, payment_id: int):
        def act(inv: Invoice) -> Payment:
            payment = db.session.get(Payment, payment_id) if payment_id <= MAX_ID else None
            if payment is None or payment.invoice_id != inv.id:
                raise DomainError("That payment is not on this invoice.")
            reason = request.form.get("reason", "")
            return reversal.reverse_payment(db.session, current_user, payment, reason, date.today())

        return self.run_confirmed(
            invoice_id, act, "Reversed {result.reverses.amount} on {invoice.reference}."
        )

    @expose("/apply-credit/<int:invoice_id>", methods=("POST",))
    def apply_credit_view(self, invoice_id: int):
        return self.run_confirmed(
            invoice_id,
            lambda inv: customer_credit.apply_credit(
                db.session, current_user, inv, request.form.get("amount"), date.today()
            ),
            "Applied {result.amount} of customer credit to {invoice.reference}.",
        )

"""Customer credit: the ledger of every entry (read-only), and paying credit back."""

from datetime import date
from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select

from models import Customer, CustomerCreditEntry, PaymentMethod

from ...extensions import db
from ...services.errors import DomainError, PermissionDenied
from ...services.payments import customer_credit
from ...services.permissions import Action, can
from ..formatting import money_column
from ..secured import MAX_ID, SecuredModelView, refuse, scoped_query
from .recording import RECORDED_METHODS

RECENT_ENTRIES = 20


def credit_context(customer: Customer) -> dict[str, Any]:
    """What the customer page shows of their credit: balances, latest entries, the refund form."""
    recent = db.session.scalars(
        select(CustomerCreditEntry)
        .where(CustomerCreditEntry.customer_id == customer.id)
        .order_by(CustomerCreditEntry.entry_date.desc(), CustomerCreditEntry.id.desc())
        .limit(RECENT_ENTRIES)
    ).all()
    return {
        "credit_balances": customer_credit.balances(db.session, customer.id),
        "credit_entries": recent,
        "may_refund_credit": can(current_user, Action.RECORD_PAYMENT),
        "refund_methods": RECORDED_METHODS,
        "today": date.today(),
    }


class CustomerCreditAdmin(SecuredModelView):
    """Every movement of customer credit; entries are never edited, only added by the rules."""

    endpoint_actions = {"refund_view": Action.RECORD_PAYMENT}
    list_reads_replica = True
    column_list = [
        "entry_date",
        "customer",
        "kind",
        "amount",
        "currency",
        "description",
        "method",
        "reference",
        "created_by",
    ]
    column_labels = {"entry_date": "Date", "created_by": "By"}
    column_filters = ["kind", "currency", "entry_date", "customer.name"]
    column_default_sort = ("entry_date", True)
    column_sortable_list = ["entry_date"]  # the order its indexes serve
    column_formatters = {"amount": money_column}

    @expose("/refund/<int:customer_id>", methods=("POST",))
    def refund_view(self, customer_id: int):
        customer = None
        if 0 < customer_id <= MAX_ID:
            query = scoped_query(Customer)().filter(Customer.id == customer_id)
            customer = query.one_or_none()
        if customer is None:
            flash("That customer does not exist or is not yours to see.", "error")
            return redirect(self.get_url(".index_view"))
        form = request.form
        try:
            on = date.fromisoformat(form.get("payment_date") or date.today().isoformat())
            entry = customer_credit.refund_credit(
                db.session,
                current_user,
                customer,
                form.get("currency", ""),
                form.get("amount", ""),
                on,
                method=form.get("method", PaymentMethod.BANK_TRANSFER.value),
                reference=form.get("reference", ""),
                shown=form.get("shown") or None,
            )
            db.session.commit()
        except PermissionDenied as exc:
            db.session.rollback()
            refuse(exc.message)
        except ValueError as exc:  # DomainError, or a date that is not one
            db.session.rollback()
            message = exc.message if isinstance(exc, DomainError) else "The date must be a date."
            flash(message, "error")
        else:
            flash(f"Refunded {-entry.amount} {entry.currency} of customer credit.", "success")
        return redirect(url_for("customer.details_view", id=customer.id))

"""The invoice list's columns as a clerk reads them: drafts and overdue invoices marked."""

from datetime import date
from typing import Any

from markupsafe import Markup, escape

from models import Invoice, InvoiceKind

from ...services.invoicing.status import is_overdue
from ..formatting import money_column


def balance_column(view: Any, context: Any, model: Invoice, name: str) -> str:
    # A credit note owes nothing itself; its effect shows on the invoice it corrects.
    return "" if model.kind == InvoiceKind.CREDIT_NOTE else money_column(view, context, model, name)


def reference_column(view: Any, context: Any, model: Invoice, name: str) -> Markup:
    return (
        escape(model.reference)
        if model.reference
        else Markup('<span class="text-muted">draft</span>')
    )


def status_column(view: Any, context: Any, model: Invoice, name: str) -> Markup:
    badge = escape(model.status.replace("_", " "))
    if is_overdue(model, date.today()):
        badge += Markup(' <span class="badge badge-danger">overdue</span>')
    return badge

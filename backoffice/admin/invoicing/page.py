"""What the invoice page offers for one invoice: its buttons, delivery, payment and card parts."""

from typing import Any

from flask_login import current_user

from models import Invoice

from ...services.invoicing import approvals
from ...services.invoicing.status import can_be_credited, can_be_voided, is_open, takes_payments
from ...services.permissions import Action, can
from ..delivery.actions import delivery_state
from ..payments.card_link import card_page
from ..payments.recording import payment_context
from ..sync.state import sync_state
from .entry import issue_blocker


def page_context(invoice: Invoice) -> dict[str, Any]:
    """The invoice page's template values that depend on the invoice shown."""
    context = {
        "actions": available_actions(invoice),
        "delivery": delivery_state(invoice),
        "card_page": card_page(invoice),
        **payment_context(invoice),
    }
    if invoice.is_draft:
        context["issue_blocker"] = issue_blocker(invoice)
        context["missing_approval"] = approvals.missing_approval(invoice)
    else:
        context |= sync_state(invoice)  # drafts never reach the books
    if context["actions"]["credit"]:
        left = invoice.total_amount - invoice.credited_amount
        context["full_credit_approved_first"] = approvals.above_threshold(invoice, left)
    return context


def available_actions(invoice: Invoice) -> dict[str, bool]:
    """Which lifecycle buttons the current user gets for this invoice."""
    return {
        "issue": invoice.is_draft
        and can(current_user, Action.ISSUE)
        and approvals.missing_approval(invoice) is None,
        "approve": approvals.may_approve(current_user, invoice),
        "void": can_be_voided(invoice) and can(current_user, Action.VOID),
        "credit": can_be_credited(invoice) and can(current_user, Action.CREDIT),
        "pay": takes_payments(invoice) and can(current_user, Action.RECORD_PAYMENT),
        "send": is_open(invoice) and can(current_user, Action.SEND),
        "resend": is_open(invoice) and can(current_user, Action.RESEND),
    }

"""The invoice screen's "Pay by card" link: create (or show again) its Stripe Checkout page."""

from flask import current_app
from flask_admin import expose
from flask_login import current_user

from models import CheckoutSession, Invoice, InvoiceKind

from ...extensions import db
from ...services.errors import DomainError
from ...services.invoicing.status import UNPAID_OPEN
from ...services.payments.card import checkout
from ...services.payments.card.gateway import StripeSettings
from ...services.permissions import Action, can
from ..confirmed import ConfirmedActionsMixin


def stripe_settings() -> StripeSettings:
    """This app's Stripe settings, for the pay link of the invoice page and emails."""
    return StripeSettings.from_config(current_app.config)


def card_page(invoice: Invoice) -> dict[str, CheckoutSession | bool | None] | None:
    """What the invoice page says about paying it by card: None when it cannot be."""
    payable = (
        invoice.kind == InvoiceKind.INVOICE
        and invoice.status in UNPAID_OPEN
        and invoice.balance_amount > 0
    )
    if not (invoice.company.is_card_payment_enabled and payable):
        return None
    return {
        "page": checkout.current_page(db.session, invoice),
        "may_create": can(current_user, Action.SEND),
    }


class CardLinkMixin(ConfirmedActionsMixin):
    """Endpoints mixed into InvoiceAdmin; role checks come from its endpoint_actions."""

    # Handing the customer a way to pay belongs with sending them the invoice.
    card_link_actions = {"card_link_view": Action.SEND}

    @expose("/card-link/<int:invoice_id>", methods=("POST",))
    def card_link_view(self, invoice_id: int):
        def act(invoice: Invoice) -> str:
            link = checkout.pay_link(db.session, current_user, invoice, stripe_settings())
            if link is None:
                raise DomainError(
                    f"{invoice} has no card payment link: its company takes no cards, or "
                    "nothing is left to pay."
                )
            return link

        return self.run_confirmed(
            invoice_id,
            act,
            "Card payment link of {invoice.reference} (give it to the customer): {result}",
            check_version=False,
        )

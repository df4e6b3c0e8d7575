"""POST /webhooks/stripe: Stripe's events, verified with the endpoint's signing secret."""

import logging

import stripe
from flask import Blueprint, current_app, jsonify, request

from ..auth.views import client_ip
from ..extensions import db
from ..services import audit
from ..services.payments.card import events

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.post("/stripe")
def stripe_event():
    """Verify, then act once per event id; 200 unless the signature is wrong (Stripe retries)."""
    try:
        event = stripe.Webhook.construct_event(
            request.get_data(),
            request.headers.get("Stripe-Signature"),
            current_app.config["STRIPE_WEBHOOK_SECRET"],
        )
    except (stripe.SignatureVerificationError, ValueError) as error:
        log.warning("Refused a Stripe webhook: %s", error)
        return jsonify(error="The Stripe signature does not verify."), 400
    audit.set_actor(db.session, audit.Actor(user_id=None, email="stripe", ip_address=client_ip()))
    record = events.handle_event(db.session, event.to_dict())
    db.session.commit()
    if record is None:
        return jsonify(received=True, outcome="duplicate")
    return jsonify(received=True, outcome=record.outcome)

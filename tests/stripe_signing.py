"""Stripe webhook events for tests, signed as Stripe documents it: the Stripe-Signature header
is t=<timestamp>,v1=<HMAC-SHA256 of "<timestamp>.<payload>" with the endpoint's secret>."""

import hashlib
import hmac
import json
import time
from typing import Any

WEBHOOK_SECRET = "whsec_test_backoffice"
CREATED = 1_780_000_000  # 2026-05-28 UTC


def signature(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header of a payload."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.{payload}".encode(), hashlib.sha256)
    return f"t={moment},v1={digest.hexdigest()}"


def event(event_id: str, event_type: str, data: dict[str, Any]) -> str:
    """An event's JSON body, as Stripe posts it."""
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2025-11-17.clover",
            "created": CREATED,
            "livemode": False,
            "type": event_type,
            "data": {"object": data},
        }
    )


def checkout_completed(event_id: str, invoice_id: Any, company_id: Any, **fields: Any) -> str:
    """A paid Checkout page of ours."""
    page = {
        "id": f"cs_test_{event_id}",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": 11900,
        "currency": "eur",
        "payment_intent": "pi_test_1",
        "metadata": {"invoice_id": str(invoice_id), "company_id": str(company_id)},
    }
    return event(event_id, "checkout.session.completed", page | fields)


def intent_succeeded(event_id: str, invoice_id: Any, company_id: Any, **fields: Any) -> str:
    """A succeeded payment intent of ours."""
    intent = {
        "id": "pi_test_1",
        "object": "payment_intent",
        "amount_received": 11900,
        "currency": "eur",
        "metadata": {"invoice_id": str(invoice_id), "company_id": str(company_id)},
    }
    return event(event_id, "payment_intent.succeeded", intent | fields)


def charge_refunded(event_id: str, amount_refunded: int, **fields: Any) -> str:
    """A charge refunded so far by amount_refunded minor units (Stripe's running total)."""
    charge = {
        "id": "ch_test_1",
        "object": "charge",
        "payment_intent": "pi_test_1",
        "amount": 11900,
        "amount_refunded": amount_refunded,
        "currency": "eur",
        "metadata": {},
    }
    return event(event_id, "charge.refunded", charge | fields)

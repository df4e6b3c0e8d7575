"""Stripe for tests: the Checkout Session API as a local server answers it, and webhook
events signed as Stripe documents it (the Stripe-Signature header is
t=<timestamp>,v1=<HMAC-SHA256 of "<timestamp>.<payload>" with the endpoint's secret>)."""

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import parse_qs

from werkzeug import Request, Response

SECRET_KEY = "sk_test_backoffice"
EXPIRES_AT = 4_102_444_800  # 2100-01-01: far enough that every page is reusable
WEBHOOK_SECRET = "whsec_test_backoffice"
CREATED = 1_780_000_000  # 2026-05-28 UTC, when the events happened


class FakeStripe:
    """Answers POST /v1/checkout/sessions as Stripe does, keeping each request's form."""

    def __init__(self) -> None:
        self.requests: list[dict] = []

    def __call__(self, request: Request) -> Response:
        form = parse_qs(request.get_data(as_text=True), strict_parsing=True)
        self.requests.append({"form": form, "headers": dict(request.headers)})
        number = len(self.requests)
        body = {
            "id": f"cs_test_{number}",
            "object": "checkout.session",
            "url": f"https://checkout.stripe.test/c/pay/cs_test_{number}",
            "expires_at": EXPIRES_AT,
            "amount_total": int(form["line_items[0][price_data][unit_amount]"][0]),
            "currency": form["line_items[0][price_data][currency]"][0],
        }
        return Response(json.dumps(body), status=200, content_type="application/json")

    @classmethod
    def serve(cls, httpserver) -> "FakeStripe":
        """Answer on a pytest-httpserver: only a POST with our key, at Stripe's path."""
        fake = cls()
        httpserver.expect_request(
            "/v1/checkout/sessions",
            method="POST",
            headers={"Authorization": f"Bearer {SECRET_KEY}"},
        ).respond_with_handler(fake)
        return fake


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

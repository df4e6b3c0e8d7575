"""The Stripe API client, built from the app's settings (no Flask here)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import stripe

# A request to Stripe holds the invoice's row lock: fail in seconds rather than hang.
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class StripeSettings:
    """What creating a Checkout page needs: the key, the API base and the return addresses."""

    secret_key: str
    api_base: str
    success_url: str
    cancel_url: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "StripeSettings":
        """Read STRIPE_* settings; the cancel address defaults to the success one."""
        return cls(
            secret_key=config["STRIPE_SECRET_KEY"],
            api_base=config["STRIPE_API_BASE"],
            success_url=config["STRIPE_SUCCESS_URL"],
            cancel_url=config["STRIPE_CANCEL_URL"] or config["STRIPE_SUCCESS_URL"],
        )

    @property
    def is_complete(self) -> bool:
        """A key and a return address are set."""
        return bool(self.secret_key and self.success_url)


def client(settings: StripeSettings) -> stripe.StripeClient:
    """A client for one request; one retry of a network failure, under the same idempotency key."""
    return stripe.StripeClient(
        settings.secret_key,
        base_addresses={"api": settings.api_base},
        max_network_retries=1,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )

"""Card payments through Stripe Checkout: the pay link of an invoice and the webhook events."""

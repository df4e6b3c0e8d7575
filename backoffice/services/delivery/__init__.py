"""Delivery: the invoice PDF, its storage, and email through the outbox."""

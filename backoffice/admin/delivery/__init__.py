"""Delivery on the invoice screen: the stored PDF, and email through the outbox."""

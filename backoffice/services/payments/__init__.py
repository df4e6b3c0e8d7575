"""Payments: money received and refunded against issued invoices."""

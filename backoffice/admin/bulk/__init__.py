"""Bulk runs: the invoice list's actions that start them, and each run's page."""

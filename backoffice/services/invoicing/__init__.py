"""Invoicing: drafts, totals, numbering, issue, credit notes, status."""

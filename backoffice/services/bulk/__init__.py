"""Bulk runs: issue, send or gather the PDFs of many invoices in one job with visible progress."""

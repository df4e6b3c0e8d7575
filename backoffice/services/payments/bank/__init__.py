"""Bank statements: parsing CAMT.053, MT940 and CSV, matching lines to invoices, booking them."""

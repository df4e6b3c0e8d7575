"""Global search: invoices by number, customers by name, VAT id or email, payments by reference."""

"""Invoicing screens: invoices and credit notes, customers, products, tax rates, numbering."""

"""Reports: aging, revenue, tax, payments, customers and DSO as plain functions over a Session.

Amounts in a company's base currency use each document's exchange rate fixed at issue
(PRODUCT.md, "Calculation"), converted and rounded per document, then summed.
"""

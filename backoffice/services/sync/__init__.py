"""Accounting sync: push customers, invoices, credit notes and payments to Xero, QuickBooks
Online and MYOB, exactly once each, and keep per record what was pushed and how it went."""

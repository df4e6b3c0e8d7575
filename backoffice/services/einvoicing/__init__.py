"""E-invoices (EN 16931): Factur-X / ZUGFeRD CII embedded in the PDF, and UBL for Peppol."""

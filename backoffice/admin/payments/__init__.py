"""Payment screens: recording payments and refunds on an invoice, and the payments list."""

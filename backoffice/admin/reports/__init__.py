"""The report screens at /admin/reports/<name> and the dashboard built on the same figures."""

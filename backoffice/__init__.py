"""Invoicing back office. The Flask app lives in backoffice.app; services never import Flask."""

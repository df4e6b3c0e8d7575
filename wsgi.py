"""WSGI entry point: gunicorn wsgi:app"""

from backoffice.app import create_app

app = create_app()

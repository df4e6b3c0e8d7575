"""wsgi.py's app, which has also used PostgreSQL and Redis before gunicorn forks: the pooled
connections a careless post_fork would hand to every worker."""

from sqlalchemy import text

from backoffice.extensions import db
from wsgi import app

with app.app_context():
    db.session.execute(text("SELECT 1"))
app.extensions["dispatcher"].connection.ping()

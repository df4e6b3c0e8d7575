"""What a job needs from the app it runs in: a session and the SMTP settings."""

from flask import current_app
from sqlalchemy.orm import Session

from backoffice.extensions import db
from backoffice.services import audit
from backoffice.services.delivery.mailer import SmtpSettings


def job_session() -> Session:
    """A session of its own, attributed to the system in the audit trail."""
    session = db.sessionmaker()
    audit.set_actor(session, audit.Actor(user_id=None, email="worker"))
    return session


def smtp_settings() -> SmtpSettings:
    """The configured SMTP relay."""
    return SmtpSettings.from_config(current_app.config)

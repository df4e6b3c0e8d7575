"""What a job needs from the app it runs in: a session, the document store, SMTP settings."""

from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from backoffice.extensions import db
from backoffice.services import audit
from backoffice.services.mailer import SmtpSettings
from backoffice.services.storage import LocalStorage


def job_session() -> Session:
    """A session of its own, attributed to the system in the audit trail."""
    session = db.sessionmaker()
    audit.set_actor(session, audit.Actor(user_id=None, email="worker"))
    return session


def storage() -> LocalStorage:
    """The configured document store."""
    return LocalStorage(documents_dir(current_app.config, Path(current_app.instance_path)))


def documents_dir(config, instance_path: Path) -> Path:
    """DOCUMENTS_DIR, or instance/documents."""
    return Path(config["DOCUMENTS_DIR"] or instance_path / "documents")


def smtp_settings() -> SmtpSettings:
    """The configured SMTP relay."""
    return SmtpSettings.from_config(current_app.config)

"""Flask extensions, created unbound and initialised by create_app, and the app's document store."""

from pathlib import Path
from typing import Any

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf import CSRFProtect

from .services.delivery.storage import LocalStorage

# expire_on_commit off: views render objects after committing them.
db = SQLAlchemy(session_options={"expire_on_commit": False})
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)  # sign-in throttling, backoffice/auth/throttle.py


def documents_dir(config: Any, instance_path: Path) -> Path:
    """DOCUMENTS_DIR, or instance/documents."""
    return Path(config["DOCUMENTS_DIR"] or instance_path / "documents")


def document_store() -> LocalStorage:
    """The current app's document store, for screens and jobs alike."""
    return LocalStorage(documents_dir(current_app.config, Path(current_app.instance_path)))

"""Flask extensions, created unbound and initialised by create_app."""

from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf import CSRFProtect

# expire_on_commit off: views render objects after committing them.
db = SQLAlchemy(session_options={"expire_on_commit": False})
csrf = CSRFProtect()
login_manager = LoginManager()

"""The second sign-in step: the password was right, the TOTP code is still due.

Between the two steps the session holds only who is expected and since when, never a
signed-in user; the step must be completed within a few minutes.
"""

import time

from flask import current_app, session

from models import User, utcnow

from ..extensions import db
from ..services import two_factor

PENDING = "second_factor_pending"
STEP_SECONDS = 300


def expect(user: User) -> None:
    session[PENDING] = {"user_id": user.id, "email": user.email, "since": int(time.time())}


def expected_email() -> str:
    return (session.get(PENDING) or {}).get("email", "")


def expected_user() -> User | None:
    pending = session.get(PENDING) or {}
    if time.time() - pending.get("since", 0) > STEP_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending["user_id"], with_for_update=True)
    return user if user is not None and user.is_active else None


def verify(user: User, code: str) -> bool:
    """Check the code against the (row-locked) user; a used code is refused."""
    return two_factor.verify(db.session, user, code, current_app.secret_key, utcnow())

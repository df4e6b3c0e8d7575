"""Sign-in throttling with Flask-Limiter on Redis: per client IP and per account.

Only failed sign-ins count, in a moving (sliding) window: a throttled attempt answers 429
with Retry-After without checking the password (no argon2 cost, no extension of the
window), and once the oldest failure leaves the window the right password works again.
An unknown email is throttled exactly like a known one, so the answer reveals nothing.
"""

import math
import time

from flask import Response, current_app, flash, g, render_template, request
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from limits import parse

from ..extensions import db, limiter
from ..services import audit, users
from . import second_factor
from .forms import LoginForm, SecondFactorForm

ACCOUNT_SCOPE = "login-account"
IP_SCOPE = "login-ip"


def _failed(response: Response) -> bool:
    return response.status_code == 401  # bad credentials; a throttled 429 is not a failure


def _account() -> str:
    # The password step names the account; the second-factor step has it in the session, and
    # only there: an "email" field posted with a code would charge its failures elsewhere.
    if request.endpoint == "auth.second_factor":
        return users.normalize_email(second_factor.expected_email())
    return users.normalize_email(request.form.get("email") or second_factor.expected_email())


def retry_message(seconds: float, what: str = "failed sign-in attempts") -> str:
    """Tell when to try again, in whole minutes (a person reads it)."""
    minutes = max(1, math.ceil(int(seconds) / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many {what}. Try again in {minutes} {unit}."


def _refuse(limit: RequestLimit) -> Response:
    # Called once per breached limit: answer (and audit) the attempt once.
    if "throttled" not in g:
        audit.record(
            db.session,
            "login.failed",
            detail="throttled",
            actor=audit.Actor(user_id=None, email=_account(), ip_address=get_remote_address()),
        )
        db.session.commit()
        flash(retry_message(limit.reset_at - time.time()), "error")
        if request.endpoint == "auth.second_factor":
            page = render_template("auth/second_factor.html", form=SecondFactorForm())
        else:
            page = render_template("auth/login.html", form=LoginForm())
        g.throttled = Response(page, status=429)
    return g.throttled


per_ip = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    scope=IP_SCOPE,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_refuse,
)
per_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    scope=ACCOUNT_SCOPE,
    key_func=_account,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_refuse,
)


def unlock(email: str) -> None:
    """Forget an account's failed sign-ins (an admin unlocking it)."""
    limiter.limiter.clear(_account_limit(), users.normalize_email(email), ACCOUNT_SCOPE)


def _account_limit():
    return parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def code_wait(email: str) -> float:
    """Seconds before a code may be tried for the account again; 0: now.

    Wrong codes typed on the account's own page (new recovery codes, turning the second factor
    off) count with its failed sign-ins: a session left open must not allow endless guesses.
    """
    item, key = _account_limit(), users.normalize_email(email)
    if limiter.limiter.test(item, key, ACCOUNT_SCOPE):
        return 0.0
    reset_at = limiter.limiter.get_window_stats(item, key, ACCOUNT_SCOPE).reset_time
    return max(1.0, reset_at - time.time())


def count_wrong_code(email: str) -> None:
    """Count a wrong code typed on the account page against the account."""
    limiter.limiter.hit(_account_limit(), users.normalize_email(email), ACCOUNT_SCOPE)

"""Sign in, sign out, and the per-request actor used by the audit trail."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from models import User

from ..extensions import db, login_manager
from ..redirects import is_safe_target
from ..services import audit, sessions, two_factor, users
from . import second_factor as second_factor_step
from . import throttle
from .forms import LoginForm, SecondFactorForm

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "Invalid email or password."


def safe_next(target: str | None) -> str:
    """Return target when it stays on this site, else the admin home (no open redirect)."""
    return target if is_safe_target(target) else url_for("admin.index")


def client_ip() -> str:
    """The caller's address as the WSGI server saw it (configure ProxyFix behind a proxy)."""
    return request.remote_addr or ""


def actor_for(user: User | None) -> audit.Actor:
    """Build the audit actor for a user in this request."""
    if user is None:
        return audit.Actor(user_id=None, email="anonymous", ip_address=client_ip())
    return audit.Actor(user_id=user.id, email=user.email, ip_address=client_ip())


@bp.route("/login", methods=["GET", "POST"])
@throttle.per_ip
@throttle.per_account
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        email = users.normalize_email(form.email.data)
        user = users.authenticate(db.session, email, form.password.data)
        if user is None:
            return refuse_sign_in(email, "bad credentials", BAD_CREDENTIALS, form)
        # Before the flush: a rehashed password is the user's own change.
        audit.set_actor(db.session, actor_for(user))
        if two_factor.is_enabled(user):
            fresh_session()
            second_factor_step.expect(user)
            db.session.commit()
            return redirect(url_for("auth.second_factor", next=request.args.get("next")))
        return complete_sign_in(user)
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


def refuse_sign_in(email: str, why: str, message: str, form, template="auth/login.html"):
    """Audit a failed attempt (it counts towards the throttle: 401) and say so."""
    audit.record(
        db.session,
        "login.failed",
        detail=why,
        actor=audit.Actor(user_id=None, email=email, ip_address=client_ip()),
    )
    db.session.commit()
    flash(message, "error")
    return render_template(template, form=form), 401


def fresh_session() -> None:
    """Start a session under a new id: nothing set before authentication (CSRF token, a
    planted session id) survives into the authenticated one."""
    current_app.session_interface.regenerate(session)
    session.clear()


def complete_sign_in(user: User):
    fresh_session()
    login_user(user)
    audit.record(db.session, "login", entity=user, actor=actor_for(user))
    db.session.commit()
    return redirect(safe_next(request.args.get("next")))


@bp.route("/login/second-factor", methods=["GET", "POST"])
@throttle.per_ip
@throttle.per_account
def second_factor():
    user = second_factor_step.expected_user()
    if user is None:
        flash("Sign in with your email and password first.", "info")
        return redirect(url_for("auth.login", next=request.args.get("next")))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if not second_factor_step.verify(user, form.code.data):
            return refuse_sign_in(
                user.email,
                "second factor",
                "That code is not right (or was used already). Enter the code your "
                "authenticator app shows now, or one of your recovery codes.",
                form,
                "auth/second_factor.html",
            )
        return complete_sign_in(user)
    return render_template("auth/second_factor.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End this session on the server, or with `everywhere` every session of the user."""
    user = current_user._get_current_object()
    everywhere = request.form.get("everywhere") == "1"
    ended = sessions.end_all(db.session, user.id) if everywhere else 0
    audit.record(
        db.session,
        "logout",
        entity=user,
        detail=f"everywhere ({ended} sessions)" if everywhere else "",
    )
    db.session.commit()
    logout_user()
    session.clear()  # the session store deletes this session's row and cookie
    flash("You are signed out everywhere." if everywhere else "You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def home():
    return redirect(url_for("admin.index"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.method != "GET":
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def set_actor() -> None:
    user = current_user._get_current_object() if current_user.is_authenticated else None
    audit.set_actor(db.session, actor_for(user))

"""The signed-in user's own account: turn the TOTP second factor on or off, recovery codes."""

import segno
from flask import current_app, flash, redirect, request, session
from flask_admin import BaseView, expose
from flask_login import current_user

from models import User, utcnow

from ...auth import throttle
from ...extensions import db
from ...services import audit, two_factor
from ...services.errors import DomainError

ENROLMENT = "totp_enrolment"  # the secret being set up, until the first code confirms it


def _me() -> User:
    # Row-locked: a code is accepted once even when two requests race with it.
    return db.session.get(User, current_user.id, with_for_update=True)


class AccountView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        return False  # reached from the user's name in the navigation bar

    @expose("/")
    def index(self):
        user = current_user._get_current_object()
        context = {
            "enabled": two_factor.is_enabled(user),
            "required": two_factor.is_required(db.session, user),
        }
        if context["enabled"]:
            context["codes_left"] = two_factor.recovery_codes_left(db.session, user)
        else:
            secret = session.setdefault(ENROLMENT, two_factor.new_secret())
            uri = two_factor.provisioning_uri(secret, user)
            context["qr_svg"] = segno.make(uri, micro=False).svg_inline(scale=5)
            context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        return self.render("admin/account.html", **context)

    @expose("/two-factor/enable", methods=("POST",))
    def enable(self):
        secret = session.get(ENROLMENT)
        if secret is None:
            flash("The set-up expired; scan the new QR code.", "error")
            return redirect(self.get_url(".index"))
        user = _me()
        try:
            codes = two_factor.enable(
                db.session, user, secret, request.form.get("code", ""), _key(), utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(self.get_url(".index"))
        audit.record(db.session, "two_factor.enabled", entity=user)
        db.session.commit()
        session.pop(ENROLMENT, None)
        flash("Two-factor sign-in is on. Keep these recovery codes somewhere safe.", "success")
        return self.render("admin/account_codes.html", codes=codes)

    @expose("/two-factor/recovery-codes", methods=("POST",))
    def recovery_codes(self):
        user = _me()
        if not self._code_ok(user):
            return redirect(self.get_url(".index"))
        codes = two_factor.new_recovery_codes(db.session, user, _key())
        audit.record(db.session, "two_factor.recovery_codes", entity=user)
        db.session.commit()
        flash("New recovery codes; the old ones no longer work.", "success")
        return self.render("admin/account_codes.html", codes=codes)

    @expose("/two-factor/disable", methods=("POST",))
    def disable(self):
        user = _me()
        if two_factor.is_required(db.session, user):
            flash("Your company requires two-factor sign-in for your role.", "error")
            return redirect(self.get_url(".index"))
        if not self._code_ok(user):
            return redirect(self.get_url(".index"))
        two_factor.disable(db.session, user)
        audit.record(db.session, "two_factor.disabled", entity=user)
        db.session.commit()
        flash("Two-factor sign-in is off.", "success")
        return redirect(self.get_url(".index"))

    def _code_ok(self, user: User) -> bool:
        if wait := throttle.code_wait(user.email):
            db.session.commit()  # the lock goes; nothing was changed
            flash(throttle.retry_message(wait, "wrong codes"), "error")
            return False
        if two_factor.verify(db.session, user, request.form.get("code", ""), _key(), utcnow()):
            return True
        db.session.commit()  # the lock goes; nothing was changed
        throttle.count_wrong_code(user.email)
        flash("That code is not right (or was used already).", "error")
        return False


def _key() -> str:
    return current_app.secret_key

"""Staff accounts (admins): create, edit, deactivate, unlock a throttled sign-in, and see
and end the user's sessions."""

from typing import Any

from flask import current_app, flash, redirect, request
from flask_admin import expose
from sqlalchemy import ColumnElement, true
from wtforms import PasswordField
from wtforms.validators import Length, Optional

from models import Role, User

from ...auth import throttle
from ...extensions import db
from ...services import audit, sessions, two_factor, users
from ...services.errors import DomainError
from ...services.permissions import Action
from ..secured import SecuredModelView


class UserAdmin(SecuredModelView):
    view_permission = create_permission = edit_permission = delete_permission = (
        Action.MANAGE_SETTINGS
    )
    column_list = ["email", "name", "role", "is_active", "totp_enabled_at", "last_login_at"]
    column_labels = {"totp_enabled_at": "Two-factor since"}
    column_searchable_list = ["email", "name"]
    column_filters = ["role", "is_active"]
    column_default_sort = "email"
    column_exclude_list = ["password_hash", "totp_secret", "totp_last_step"]
    column_details_exclude_list = ["password_hash", "totp_secret", "totp_last_step"]
    column_export_exclude_list = ["password_hash", "totp_secret", "totp_last_step"]
    form_columns = ["email", "name", "role", "is_active", "companies", "password"]
    form_extra_fields = {
        "password": PasswordField(
            "Password",
            validators=[Optional(), Length(min=users.MIN_PASSWORD_LENGTH)],
            description="Leave empty to keep the current password.",
        )
    }
    endpoint_actions = {
        "unlock": Action.MANAGE_SETTINGS,
        "end_session": Action.MANAGE_SETTINGS,
        "end_sessions": Action.MANAGE_SETTINGS,
        "reset_two_factor": Action.MANAGE_SETTINGS,
    }
    details_template = "admin/user_details.html"
    form_choices = {"role": [(role.value, role.value.title()) for role in Role]}

    def scope_clause(self, company_ids: frozenset[int]) -> ColumnElement[bool]:
        return true()

    def on_model_change(self, form: Any, model: User, is_created: bool) -> None:
        model.email = users.normalize_email(model.email)
        if form.password.data:
            model.password_hash = users.hash_password(form.password.data)
        elif is_created:
            raise DomainError("Set a password for the new user.", "password")
        if not is_created and (form.password.data or not model.is_active):
            # A new password or a deactivation ends every session the user has open.
            sessions.end_all(db.session, model.id)

    def render(self, template: str, **kwargs: Any):
        if template == self.details_template:
            absolute = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
            kwargs["sessions"] = sessions.active(db.session, kwargs["model"].id, absolute)
        return super().render(template, **kwargs)

    def _user_or_back(self, user_id: int) -> User | None:
        user = self.get_one(user_id)
        if user is None:
            flash("That user does not exist.", "error")
        return user

    @expose("/end-session/<int:user_id>", methods=("POST",))
    def end_session(self, user_id: int):
        """End one of the user's sessions: that browser is signed out at its next click."""
        if (user := self._user_or_back(user_id)) is None:
            return redirect(self.get_url(".index_view"))
        if sessions.end(db.session, request.form.get("key", ""), user.id):
            audit.record(db.session, "session.ended", entity=user)
            flash("The session is ended.", "success")
        else:
            flash("That session had already ended.", "info")
        db.session.commit()
        return redirect(self.get_url(".details_view", id=user.id))

    @expose("/end-sessions/<int:user_id>", methods=("POST",))
    def end_sessions(self, user_id: int):
        """End every session of the user."""
        if (user := self._user_or_back(user_id)) is None:
            return redirect(self.get_url(".index_view"))
        ended = sessions.end_all(db.session, user.id)
        audit.record(db.session, "session.ended", entity=user, detail=f"all ({ended})")
        db.session.commit()
        flash(f"Ended {ended} session(s) of {user.email}.", "success")
        return redirect(self.get_url(".details_view", id=user.id))

    @expose("/unlock/<int:user_id>", methods=("POST",))
    def unlock(self, user_id: int):
        """Forget the account's failed sign-ins so the right password works at once."""
        if (user := self._user_or_back(user_id)) is None:
            return redirect(self.get_url(".index_view"))
        throttle.unlock(user.email)
        audit.record(db.session, "login.unlocked", entity=user)
        db.session.commit()
        flash(f"{user.email} may sign in again.", "success")
        return redirect(self.get_url(".details_view", id=user.id))

    @expose("/reset-two-factor/<int:user_id>", methods=("POST",))
    def reset_two_factor(self, user_id: int):
        """Turn the user's second factor off (a lost phone) and end their sessions; they
        set it up again at their next sign-in if their company requires it."""
        if (user := self._user_or_back(user_id)) is None:
            return redirect(self.get_url(".index_view"))
        two_factor.disable(db.session, user)
        sessions.end_all(db.session, user.id)
        audit.record(db.session, "two_factor.reset", entity=user)
        db.session.commit()
        flash(f"Two-factor sign-in of {user.email} is reset.", "success")
        return redirect(self.get_url(".details_view", id=user.id))

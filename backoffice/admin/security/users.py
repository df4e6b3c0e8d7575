"""Staff accounts: create, edit, deactivate, and unlock a throttled sign-in (admins)."""

from typing import Any

from flask import flash, redirect
from flask_admin import expose
from sqlalchemy import ColumnElement, true
from wtforms import PasswordField
from wtforms.validators import Length, Optional

from models import Role, User

from ...auth import throttle
from ...extensions import db
from ...services import audit, users
from ...services.errors import DomainError
from ...services.permissions import Action
from ..secured import SecuredModelView


class UserAdmin(SecuredModelView):
    view_permission = create_permission = edit_permission = delete_permission = (
        Action.MANAGE_SETTINGS
    )
    column_list = ["email", "name", "role", "is_active", "last_login_at"]
    column_searchable_list = ["email", "name"]
    column_filters = ["role", "is_active"]
    column_default_sort = "email"
    column_exclude_list = ["password_hash"]
    column_details_exclude_list = ["password_hash"]
    column_export_exclude_list = ["password_hash"]
    form_columns = ["email", "name", "role", "is_active", "companies", "password"]
    form_extra_fields = {
        "password": PasswordField(
            "Password",
            validators=[Optional(), Length(min=users.MIN_PASSWORD_LENGTH)],
            description="Leave empty to keep the current password.",
        )
    }
    endpoint_actions = {"unlock": Action.MANAGE_SETTINGS}
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

    @expose("/unlock/<int:user_id>", methods=("POST",))
    def unlock(self, user_id: int):
        """Forget the account's failed sign-ins so the right password works at once."""
        user = self.get_one(user_id)
        if user is None:
            flash("That user does not exist.", "error")
            return redirect(self.get_url(".index_view"))
        throttle.unlock(user.email)
        audit.record(db.session, "login.unlocked", entity=user)
        db.session.commit()
        flash(f"{user.email} may sign in again.", "success")
        return redirect(self.get_url(".details_view", id=user.id))

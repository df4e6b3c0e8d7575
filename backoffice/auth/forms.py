"""The sign-in forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class SecondFactorForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=40)],
        description="The 6-digit code of your authenticator app, or a recovery code.",
    )

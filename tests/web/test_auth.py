"""Login, logout and the session cookie, through HTTP."""

import pytest
from sqlalchemy import func, select

from backoffice import config
from backoffice.services.users import hash_password
from models import AuditEvent
from tests import factories

from .conftest import csrf_token, login


def test_login_page_has_a_password_field(app):
    page = app.test_client().get("/login")
    assert page.status_code == 200
    assert 'type="password"' in page.get_data(as_text=True)


def test_admin_redirects_to_login_when_signed_out(app):
    response = app.test_client().get("/admin/invoice/")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_login_succeeds_and_is_audited(app, users, db_session):
    client = app.test_client()
    response = login(client, users["finance"].email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).all()
    assert [event.user_email for event in events] == [users["finance"].email]


def test_a_login_is_one_event_of_the_user_when_it_succeeds(app, users, db_session):
    before = db_session.scalar(select(func.max(AuditEvent.id))) or 0
    assert login(app.test_client(), users["finance"].email).status_code == 302
    db_session.expire_all()
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.action, e.user_email) for e in events] == [("login", users["finance"].email)]
    assert events[0].ip_address == "127.0.0.1"


def test_unknown_email_and_wrong_password_get_the_same_message(app, users, db_session):
    client = app.test_client()
    unknown = login(client, "nobody@test.example")
    wrong = login(client, users["finance"].email, "wrong password!!")
    assert unknown.status_code == wrong.status_code == 401
    assert "Invalid email or password." in unknown.get_data(as_text=True)
    assert "Invalid email or password." in wrong.get_data(as_text=True)
    failures = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.failed")
    ).all()
    assert {event.user_email for event in failures} == {
        "nobody@test.example",
        users["finance"].email,
    }


def test_inactive_user_cannot_log_in(app, db_session, company):
    user = factories.make_user(db_session, "finance", companies=[company], is_active=False)
    db_session.commit()
    assert login(app.test_client(), user.email).status_code == 401


def test_next_only_redirects_within_the_site(app, users):
    for target, expected in [
        ("/admin/customer/", "/admin/customer/"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example/", "/admin/"),
        ("/\\evil.example", "/admin/"),
        ("javascript:alert(1)", "/admin/"),
    ]:
        client = app.test_client()
        response = client.post(
            f"/login?next={target}",
            data={
                "email": users["finance"].email,
                "password": factories.DEFAULT_PASSWORD,
                "csrf_token": csrf_token(client),
            },
        )
        assert response.headers["Location"] == expected, target


def test_session_cookie_is_httponly_and_lax_and_renewed_at_login(app, users):
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("session").value
    response = login(client, users["finance"].email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get_cookie("session").value != before


def test_secure_cookies_when_configured():
    settings = config.load(
        {"DATABASE_URL": "postgresql+psycopg://x/y", "SECRET_KEY": "x", "SECURE_COOKIES": "1"}
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True


def test_missing_required_settings_fail_fast_with_their_names():
    with pytest.raises(config.ConfigError, match="DATABASE_URL.*\n.*SECRET_KEY"):
        config.load({})


def test_logout_needs_post_and_ends_the_session(client_as):
    client = client_as("finance")
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/admin/account/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/invoice/").status_code == 302


def test_changing_a_password_ends_the_users_other_sessions(app, users, db_session):
    old = app.test_client()
    assert login(old, users["finance"].email).status_code == 302
    assert old.get("/admin/invoice/").status_code == 200
    users["finance"].password_hash = hash_password("a brand new password")  # as an admin sets it
    db_session.commit()
    assert old.get("/admin/invoice/").status_code == 302  # back to the login page


def test_deactivating_a_user_ends_their_session(app, users, db_session):
    client = app.test_client()
    login(client, users["support"].email)
    users["support"].is_active = False
    db_session.commit()
    assert client.get("/admin/customer/").status_code == 302

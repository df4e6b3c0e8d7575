"""Server-side sessions: ended on the server at sign-out, by timeouts, and by an admin."""

from datetime import timedelta

from sqlalchemy import select, update

from backoffice.services import sessions
from models import StaffSession, utcnow

from .conftest import csrf_token, login, messages


def signed_in(client) -> bool:
    return client.get("/admin/invoice/").status_code == 200


def replay(app, client):
    """A second browser carrying a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def rows(db_session, user) -> list[StaffSession]:
    db_session.expire_all()
    return db_session.scalars(select(StaffSession).where(StaffSession.user_id == user.id)).all()


def age(db_session, user, **values) -> None:
    """Move the user's sessions in time, as if the clock had run on."""
    db_session.execute(update(StaffSession).where(StaffSession.user_id == user.id).values(**values))
    db_session.commit()


def sign_out(client, everywhere: bool = False):
    data = {"csrf_token": csrf_token(client, "/admin/account/")}
    if everywhere:
        data["everywhere"] = "1"
    return client.post("/logout", data=data)


def test_a_cookie_replayed_after_sign_out_is_refused(app, client_as):
    client = client_as("finance")
    thief = replay(app, client)
    assert signed_in(thief)  # the copy works while the session lives
    assert sign_out(client).status_code == 302
    assert not signed_in(thief)
    assert not signed_in(client)


def test_signing_out_everywhere_ends_the_users_other_sessions(app, users, db_session):
    office, laptop = app.test_client(), app.test_client()
    for client in (office, laptop):
        assert login(client, users["finance"].email).status_code == 302
    other = app.test_client()
    login(other, users["support"].email)
    assert sign_out(office, everywhere=True).status_code == 302
    assert not signed_in(laptop)
    assert rows(db_session, users["finance"]) == []
    assert signed_in(other)  # someone else's session is left alone


def test_the_table_holds_a_digest_of_the_cookie_not_the_cookie(app, users, db_session):
    client = app.test_client()
    login(client, users["finance"].email)
    [row] = rows(db_session, users["finance"])
    assert row.key != client.get_cookie("session").value
    assert row.ip_address == "127.0.0.1"


def test_an_idle_session_ends(app, client_as, users, db_session):
    client = client_as("finance")
    age(db_session, users["finance"], expires_at=utcnow() - timedelta(seconds=1))
    assert not signed_in(client)


def test_a_session_in_use_ends_after_the_absolute_lifetime(app, client_as, users, db_session):
    client = client_as("finance")
    age(db_session, users["finance"], created_at=utcnow() - timedelta(hours=12, seconds=1))
    assert not signed_in(client)


def test_the_cookie_lives_as_long_as_the_idle_timeout_not_a_month(app, users):
    client = app.test_client()
    response = login(client, users["finance"].email)
    expires = client.get_cookie("session").expires
    assert timedelta(minutes=29) < expires - utcnow() <= timedelta(minutes=30)
    assert response.status_code == 302


def test_using_a_session_pushes_its_idle_expiry_on(app, client_as, users, db_session):
    client = client_as("finance")
    soon = utcnow() + timedelta(minutes=1)
    age(db_session, users["finance"], expires_at=soon, last_seen_at=utcnow() - timedelta(hours=1))
    with client.session_transaction() as session:
        session["_stored_at"] = 0  # last stored long ago
    assert signed_in(client)
    [row] = rows(db_session, users["finance"])
    assert row.expires_at > utcnow() + timedelta(minutes=29)


def edit_user(admin, user, **fields: str):
    """Save the user's edit form as an admin; is_active is left out unless given (unticked)."""
    page = f"/admin/user/edit/?id={user.id}"
    data = {"email": user.email, "role": user.role, "csrf_token": csrf_token(admin, page)}
    return admin.post(page, data=data | fields)


def test_a_new_password_ends_the_users_sessions(app, client_as, users, db_session):
    finance = client_as("finance")
    admin = client_as("admin")
    response = edit_user(admin, users["finance"], is_active="y", password="a brand new password")
    assert response.status_code == 302
    assert rows(db_session, users["finance"]) == []
    assert not signed_in(finance)


def test_deactivating_a_user_ends_their_sessions(app, client_as, users, db_session):
    support = client_as("support")
    admin = client_as("admin")
    response = edit_user(admin, users["support"])
    assert response.status_code == 302
    assert rows(db_session, users["support"]) == []
    assert not signed_in(support)


def test_an_admin_sees_and_ends_a_users_sessions(app, client_as, users, db_session):
    finance = client_as("finance")
    laptop = client_as("finance")
    admin = client_as("admin")
    page = f"/admin/user/details/?id={users['finance'].id}"
    html = admin.get(page).get_data(as_text=True)
    first, second = rows(db_session, users["finance"])
    assert first.key in html and second.key in html
    assert "127.0.0.1" in html
    response = admin.post(
        f"/admin/user/end-session/{users['finance'].id}",
        data={"key": first.key, "csrf_token": csrf_token(admin, page)},
        follow_redirects=True,
    )
    assert "The session is ended." in messages(response.get_data(as_text=True))
    assert [row.key for row in rows(db_session, users["finance"])] == [second.key]
    assert sum(signed_in(client) for client in (finance, laptop)) == 1

    response = admin.post(
        f"/admin/user/end-sessions/{users['finance'].id}",
        data={"csrf_token": csrf_token(admin, page)},
        follow_redirects=True,
    )
    assert f"Ended 1 session(s) of {users['finance'].email}." in messages(
        response.get_data(as_text=True)
    )
    assert not signed_in(finance) and not signed_in(laptop)
    assert signed_in(admin)


def test_only_an_admin_may_end_sessions(app, client_as, users, db_session):
    admin = client_as("admin")
    for role in ("finance", "support", "manager"):
        client = client_as(role)
        token = csrf_token(client, "/admin/account/")
        url = f"/admin/user/end-sessions/{users['admin'].id}"
        assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert signed_in(admin)


def test_purging_deletes_only_sessions_past_a_timeout(users, db_session):
    idle, absolute = timedelta(minutes=30), timedelta(hours=12)
    for key in ("live", "idle", "old"):
        sessions.store(
            db_session,
            key,
            b"{}",
            user_id=users["finance"].id,
            idle=idle,
            ip_address="",
            user_agent="",
        )
    db_session.execute(
        update(StaffSession).where(StaffSession.key == "idle").values(expires_at=utcnow())
    )
    db_session.execute(
        update(StaffSession).where(StaffSession.key == "old").values(created_at=utcnow() - absolute)
    )
    assert sessions.purge_expired(db_session, absolute) == 2
    assert [row.key for row in rows(db_session, users["finance"])] == ["live"]

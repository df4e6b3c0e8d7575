"""Sign-in throttling: per account and per client IP, failures only, in a sliding window."""

import re
import time

import pytest
from sqlalchemy import select

from models import AuditEvent

from .conftest import csrf_token, login, messages

WRONG = "wrong password!!"


@pytest.fixture
def limits(app, monkeypatch):
    """Set the sign-in limits for this test (read from the config at every request)."""

    def set_limits(per_account: str = "5 per 15 minutes", per_ip: str = "20 per 15 minutes"):
        monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", per_account)
        monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", per_ip)

    set_limits()
    return set_limits


def alerts(response) -> list[str]:
    """The messages the login page shows."""
    return re.findall(r'role="alert">([^<]*)<', response.get_data(as_text=True))


def from_ip(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_an_account_is_throttled_after_its_failures_and_told_when_to_retry(
    app, users, limits, db_session
):
    client = app.test_client()
    for _ in range(5):
        assert login(client, users["finance"].email, WRONG).status_code == 401
    response = login(client, users["finance"].email)  # the right password, too late
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert alerts(response) == ["Too many failed sign-in attempts. Try again in 15 minutes."]
    assert client.get("/admin/invoice/").status_code == 302  # not signed in
    details = db_session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "login.failed").order_by(AuditEvent.id)
    ).all()
    assert details == ["bad credentials"] * 5 + ["throttled"]


def test_an_unknown_email_is_throttled_exactly_like_a_known_one(app, users, limits):
    answers = []
    for email in (users["finance"].email, "nobody@test.example"):
        client = app.test_client()
        for _ in range(5):
            login(client, email, WRONG)
        response = login(client, email, WRONG)
        answers.append((response.status_code, alerts(response)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429


def test_successful_sign_ins_never_count(app, users, limits):
    limits(per_account="2 per 15 minutes", per_ip="2 per 15 minutes")
    for _ in range(5):
        assert login(app.test_client(), users["finance"].email).status_code == 302


def test_the_right_password_works_once_the_window_has_slid_past_the_failures(app, users, limits):
    limits(per_account="2 per 3 seconds")
    client = app.test_client()
    for _ in range(2):
        login(client, users["finance"].email, WRONG)
    started = time.monotonic()
    # Keep trying the right password: throttled attempts must not push the window on,
    # so one of these gets in shortly after the failures leave the window.
    refused = 0
    while (response := login(client, users["finance"].email)).status_code == 429:
        refused += 1
        assert time.monotonic() - started < 30, "still locked out long after the window"
        time.sleep(0.2)
    assert response.status_code == 302
    assert refused > 0


def test_one_client_ip_is_throttled_across_emails_but_others_are_not(app, users, limits):
    limits(per_ip="3 per 15 minutes")
    attacker = from_ip(app, "203.0.113.9")
    for n in range(3):
        assert login(attacker, f"guess{n}@test.example", WRONG).status_code == 401
    assert login(attacker, "guess9@test.example", WRONG).status_code == 429
    assert login(attacker, users["finance"].email).status_code == 429
    # A colleague on another address signs in as usual.
    assert login(from_ip(app, "198.51.100.7"), users["finance"].email).status_code == 302


def test_an_admin_unlocks_an_account(app, users, limits, client_as):
    locked = app.test_client()
    for _ in range(5):
        login(locked, users["finance"].email, WRONG)
    assert login(locked, users["finance"].email).status_code == 429
    admin = client_as("admin")
    token = csrf_token(admin, "/admin/user/")
    response = admin.post(
        f"/admin/user/unlock/{users['finance'].id}",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert f"{users['finance'].email} may sign in again" in messages(
        response.get_data(as_text=True)
    )
    assert login(locked, users["finance"].email).status_code == 302


@pytest.mark.parametrize("role", ["finance", "support", "manager"])
def test_only_an_admin_may_unlock(app, users, limits, client_as, role):
    victim = app.test_client()
    for _ in range(5):
        login(victim, users["admin"].email, WRONG)
    client = client_as(role)
    token = csrf_token(client, "/admin/account/")
    response = client.post(f"/admin/user/unlock/{users['admin'].id}", data={"csrf_token": token})
    assert response.status_code == 403
    assert login(victim, users["admin"].email).status_code == 429

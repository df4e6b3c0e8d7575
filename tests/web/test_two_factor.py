"""Two-factor sign-in: enrolment with a QR code, the second sign-in step, recovery codes,
and a company that requires it for admins and finance."""

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from models import AuditEvent, RecoveryCode

from .conftest import csrf_token, login, messages

STEP = 30  # seconds per TOTP code


def code_at(secret: str, steps_from_now: int) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps_from_now * STEP)


def enrol(client, steps_from_now: int = -1) -> tuple[str, list[str]]:
    """Turn TOTP on as the user would; returns the secret and the recovery codes.

    The code of the previous step is used here, so the current and next ones are still
    unused for the sign-ins that follow (each code is accepted once)."""
    page = client.get("/admin/account/").get_data(as_text=True)
    assert "<svg" in page
    with client.session_transaction() as session:
        secret = session["totp_enrolment"]
    # The token first, the code last: a page fetched in between could let the 30 s step roll
    # over, making the previous step's code two steps old and refused.
    token = csrf_token(client, "/admin/account/")
    response = client.post(
        "/admin/account/two-factor/enable",
        data={"code": code_at(secret, steps_from_now), "csrf_token": token},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", response.get_data(as_text=True))
    return secret, codes


def second_step(client, code: str):
    return client.post(
        "/login/second-factor",
        data={"code": code, "csrf_token": csrf_token(client, "/login/second-factor")},
    )


def turn_off(client, code: str):
    return client.post(
        "/admin/account/two-factor/disable",
        data={"code": code, "csrf_token": csrf_token(client, "/admin/account/")},
        follow_redirects=True,
    )


def signed_in(client) -> bool:
    return client.get("/admin/invoice/").status_code == 200


@pytest.fixture
def enrolled(app, client_as, users):
    """Finance with TOTP on: (secret, recovery codes)."""
    return enrol(client_as("finance"))


def test_enrolment_shows_a_qr_code_and_ten_recovery_codes_and_stores_no_plain_secret(
    client_as, users, db_session
):
    secret, codes = enrol(client_as("finance"))
    assert len(codes) == len(set(codes)) == 10
    db_session.expire_all()
    stored = users["finance"].totp_secret
    assert stored and secret not in stored
    assert db_session.scalar(select(AuditEvent.id).where(AuditEvent.action == "two_factor.enabled"))


def test_the_audit_trail_keeps_no_copy_of_the_secret_or_the_recovery_codes(
    client_as, users, db_session
):
    # The trail is append-only and admins read it: a sealed secret or a code's digest kept
    # there would outlive a reset of the second factor.
    enrol(client_as("finance"))
    db_session.expire_all()
    user = users["finance"]
    digests = db_session.scalars(
        select(RecoveryCode.code_digest).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(digests) == 10
    trail = " ".join(
        f"{event.before} {event.after}" for event in db_session.scalars(select(AuditEvent))
    )
    assert "totp_secret" in trail  # the change is recorded, its value is not
    assert user.totp_secret not in trail
    assert not any(digest in trail for digest in digests)


def test_a_wrong_code_does_not_turn_it_on(client_as, users, db_session):
    client = client_as("finance")
    client.get("/admin/account/")
    response = client.post(
        "/admin/account/two-factor/enable",
        data={"code": "000000", "csrf_token": csrf_token(client, "/admin/account/")},
        follow_redirects=True,
    )
    assert "That code does not match" in messages(response.get_data(as_text=True))
    db_session.expire_all()
    assert users["finance"].totp_secret is None


def test_the_password_alone_no_longer_signs_in(app, users, enrolled):
    secret, _ = enrolled
    client = app.test_client()
    response = login(client, users["finance"].email)
    assert response.headers["Location"].startswith("/login/second-factor")
    assert not signed_in(client)
    assert second_step(client, "123456").status_code == 401
    assert not signed_in(client)
    assert second_step(client, code_at(secret, 0)).status_code == 302
    assert signed_in(client)


def test_a_code_is_accepted_once(app, users, enrolled):
    secret, _ = enrolled
    code = code_at(secret, 0)
    first, second = app.test_client(), app.test_client()
    login(first, users["finance"].email)
    assert second_step(first, code).status_code == 302
    login(second, users["finance"].email)
    assert second_step(second, code).status_code == 401  # replayed
    assert not signed_in(second)


def test_a_recovery_code_stands_in_once(app, users, enrolled):
    _, codes = enrolled
    client = app.test_client()
    login(client, users["finance"].email)
    assert second_step(client, codes[0].upper()).status_code == 302
    again = app.test_client()
    login(again, users["finance"].email)
    assert second_step(again, codes[0]).status_code == 401


def test_guessing_codes_is_throttled(app, users, enrolled):
    client = app.test_client()
    login(client, users["finance"].email)
    for _ in range(5):
        assert second_step(client, "000000").status_code == 401
    response = second_step(client, "000000")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)


def test_guesses_count_against_the_account_whatever_email_the_form_carries(app, users, enrolled):
    # The second step names no account: an "email" field added to each guess, from a new
    # address each time, must not move the failures off the account being guessed.
    client = app.test_client()
    login(client, users["finance"].email)
    statuses = []
    for n in range(6):
        data = {"code": "000000", "csrf_token": csrf_token(client, "/login/second-factor")}
        data["email"] = f"decoy{n}@example.com"
        address = {"REMOTE_ADDR": f"10.0.{n}.1"}
        statuses.append(
            client.post("/login/second-factor", data=data, environ_base=address).status_code
        )
    assert statuses == [401] * 5 + [429]


def test_codes_typed_on_the_account_page_are_throttled_like_sign_ins(client_as, users):
    # A session left open must not let anyone guess codes there without end: a guessed code
    # would mint new recovery codes or turn the second factor off.
    client = client_as("finance")
    secret, _ = enrol(client)

    def new_codes(code: str) -> str:
        response = client.post(
            "/admin/account/two-factor/recovery-codes",
            data={"code": code, "csrf_token": csrf_token(client, "/admin/account/")},
            follow_redirects=True,
        )
        return messages(response.get_data(as_text=True))

    for _ in range(5):
        assert "That code is not right" in new_codes("000000")
    assert "Too many wrong codes" in new_codes("000000")
    assert "Too many wrong codes" in new_codes(code_at(secret, 0))  # the right one, too late


def test_the_second_step_needs_the_first(app):
    response = app.test_client().get("/login/second-factor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_company_requirement_sends_admin_and_finance_to_set_it_up(
    app, users, company, db_session
):
    company.require_two_factor = True
    db_session.commit()
    finance = app.test_client()
    assert login(finance, users["finance"].email).status_code == 302
    response = finance.get("/admin/invoice/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/account/"
    page = finance.get("/admin/account/").get_data(as_text=True)
    assert "Your company requires two-factor sign-in" in page
    support = app.test_client()
    login(support, users["support"].email)
    assert signed_in(support)  # the requirement is for admins and finance
    enrol(finance)
    assert signed_in(finance)


def test_turning_it_off_needs_a_code_and_is_refused_when_required(
    client_as, users, company, db_session
):
    client = client_as("finance")
    secret, _ = enrol(client)
    company.require_two_factor = True
    db_session.commit()
    response = turn_off(client, code_at(secret, 0))
    assert "Your company requires two-factor sign-in" in messages(response.get_data(as_text=True))
    company.require_two_factor = False
    db_session.commit()
    response = turn_off(client, code_at(secret, 0))
    assert "Two-factor sign-in is off." in messages(response.get_data(as_text=True))
    db_session.expire_all()
    assert users["finance"].totp_secret is None


def test_an_admin_resets_a_lost_second_factor(app, client_as, users, db_session, enrolled):
    admin = client_as("admin")
    page = f"/admin/user/details/?id={users['finance'].id}"
    response = admin.post(
        f"/admin/user/reset-two-factor/{users['finance'].id}",
        data={"csrf_token": csrf_token(admin, page)},
        follow_redirects=True,
    )
    assert f"Two-factor sign-in of {users['finance'].email} is reset." in messages(
        response.get_data(as_text=True)
    )
    client = app.test_client()
    assert login(client, users["finance"].email).headers["Location"] == "/admin/"


@pytest.mark.parametrize("role", ["finance", "support"])
def test_only_an_admin_resets_a_second_factor(client_as, users, db_session, role):
    enrol(client_as("manager"))
    client = client_as(role)
    url = f"/admin/user/reset-two-factor/{users['manager'].id}"
    assert (
        client.post(url, data={"csrf_token": csrf_token(client, "/admin/account/")}).status_code
        == 403
    )
    db_session.expire_all()
    assert users["manager"].totp_secret is not None

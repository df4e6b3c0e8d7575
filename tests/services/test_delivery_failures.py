"""Delivery failures in plain words: each kind of failure names what to check."""

import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator
from email.message import EmailMessage as Mime

import pytest

from backoffice.services.delivery.failures import explain_render_failure, explain_smtp_failure
from backoffice.services.delivery.mailer import SmtpSettings, deliver

SETTINGS = SmtpSettings(
    host="127.0.0.1",
    port=25,
    security="none",
    username="",
    password="",
    sender="billing@nordlicht.example",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mime() -> Mime:
    message = Mime()
    message["From"] = SETTINGS.sender
    message["To"] = "ap@customer.example"
    message["Subject"] = "Invoice"
    message.set_content("Hello")
    return message


def failure_of(settings: SmtpSettings) -> BaseException:
    with pytest.raises(Exception) as raised:
        deliver(settings, mime())
    return raised.value


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_refused_connection_names_the_server_and_the_settings():
    port = free_port()  # nothing listens there
    settings = SmtpSettings(**{**SETTINGS.__dict__, "port": port})
    text = explain_smtp_failure(failure_of(settings), settings)
    assert text == (
        f"The mail server at 127.0.0.1:{port} refused the connection: check SMTP_HOST and "
        "SMTP_PORT, and that the mail server is running."
    )


def test_a_server_that_never_answers_is_a_timeout(silent_server):
    settings = SmtpSettings(**{**SETTINGS.__dict__, "port": silent_server, "timeout": 0.5})
    text = explain_smtp_failure(failure_of(settings), settings)
    assert text.startswith(f"The mail server at 127.0.0.1:{silent_server} did not answer within")
    assert "check SMTP_HOST, SMTP_PORT and the network" in text


def test_a_tls_handshake_with_a_silent_server_is_a_timeout_too(silent_server):
    settings = SmtpSettings(
        **{**SETTINGS.__dict__, "port": silent_server, "security": "ssl", "timeout": 0.5}
    )
    assert "did not answer within 0.5 seconds" in explain_smtp_failure(
        failure_of(settings), settings
    )


def test_an_unknown_host_name_is_a_dns_failure():
    error = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    settings = SmtpSettings(**{**SETTINGS.__dict__, "host": "smtp.nordlicht.invalid"})
    assert explain_smtp_failure(error, settings) == (
        "The mail server's name smtp.nordlicht.invalid could not be found (DNS): check SMTP_HOST."
    )


def test_wrong_credentials_point_at_username_and_password():
    error = smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")
    text = explain_smtp_failure(error, SETTINGS)
    assert text == (
        "The mail server at 127.0.0.1:25 did not accept the user name and password "
        "(535 5.7.8 Authentication credentials invalid): check SMTP_USERNAME and SMTP_PASSWORD."
    )


def test_a_refused_recipient_is_named_with_the_servers_reason():
    error = smtplib.SMTPRecipientsRefused(
        {"ap@customer.example": (550, b"5.1.1 <ap@customer.example>: mailbox unavailable")}
    )
    text = explain_smtp_failure(error, SETTINGS)
    assert "refused the recipient address ap@customer.example (550 5.1.1" in text
    assert text.endswith("check the customer's email addresses.")


def test_a_refused_sender_points_at_mail_from():
    error = smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not allowed", SETTINGS.sender)
    text = explain_smtp_failure(error, SETTINGS)
    assert "refused the sender address billing@nordlicht.example" in text
    assert text.endswith("check MAIL_FROM.")


def test_a_server_without_starttls_points_at_the_security_setting():
    error = smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server.")
    assert explain_smtp_failure(error, SETTINGS) == (
        "The mail server at 127.0.0.1:25 does not offer STARTTLS: check SMTP_SECURITY "
        "(none, starttls or ssl)."
    )


def test_a_tls_protocol_error_points_at_security_and_port():
    error = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    error.reason = "WRONG_VERSION_NUMBER"
    text = explain_smtp_failure(error, SETTINGS)
    assert text.startswith("The secure connection (TLS) to the mail server at 127.0.0.1:25 failed")
    assert "WRONG_VERSION_NUMBER" in text and "check SMTP_SECURITY and SMTP_PORT" in text


def test_an_untrusted_certificate_says_so():
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "self-signed certificate"
    text = explain_smtp_failure(error, SETTINGS)
    assert "certificate that could not be verified (self-signed certificate)" in text


def test_a_dropped_connection_is_explained():
    error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    assert "closed the connection unexpectedly" in explain_smtp_failure(error, SETTINGS)


def test_a_refused_message_quotes_the_servers_reply():
    error = smtplib.SMTPDataError(552, b"5.3.4 Message size exceeds fixed limit")
    assert explain_smtp_failure(error, SETTINGS) == (
        "The mail server at 127.0.0.1:25 refused the message "
        "(552 5.3.4 Message size exceeds fixed limit)."
    )


def test_a_busy_server_turning_the_connection_away_is_explained():
    error = smtplib.SMTPConnectError(421, b"4.7.0 Too many connections, try later")
    assert explain_smtp_failure(error, SETTINGS) == (
        "The mail server at 127.0.0.1:25 turned the connection away (421 4.7.0 Too many "
        "connections, try later): it may be busy, so retry later; if it persists, check "
        "SMTP_HOST."
    )


def test_an_unreachable_network_is_explained():
    error = OSError(101, "Network is unreachable")
    assert explain_smtp_failure(error, SETTINGS) == (
        "The mail server at 127.0.0.1:25 could not be reached (Network is unreachable): "
        "check SMTP_HOST and the network."
    )


def test_a_render_out_of_time_points_at_the_limit():
    text = explain_render_failure("rendering took longer than the 120 seconds allowed")
    assert text == (
        "The PDF could not be rendered: rendering took longer than the 120 seconds allowed; "
        "an admin can raise RENDER_TIME_LIMIT_SECONDS, then retry."
    )


def test_a_document_the_renderer_cannot_lay_out_is_not_worth_retrying():
    text = explain_render_failure("the renderer could not lay the document out (3 errors)")
    assert "retrying will not help" in text

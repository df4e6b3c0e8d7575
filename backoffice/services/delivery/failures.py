"""Why a delivery failed, in words a finance clerk can act on, naming the setting to check.

The raw exception stays in the worker's log and on the Jobs screen for whoever fixes it; the
invoice page shows these sentences instead of `ConnectionRefusedError: [Errno 111] ...`.
"""

import smtplib
import socket
import ssl

from .mailer import SmtpSettings


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {' '.join(text.split())}".strip()


def _refused_recipients(exc: smtplib.SMTPRecipientsRefused) -> str:
    parts = []
    for address, (code, reply) in exc.recipients.items():
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        parts.append(f"{address} ({code} {' '.join(text.split())})")
    return ", ".join(parts)


def explain_smtp_failure(exc: BaseException, settings: SmtpSettings) -> str:
    """One plain sentence saying why an email could not be handed to the mail server."""
    address = f"the mail server at {settings.host}:{settings.port}"
    server = address[0].upper() + address[1:]
    # Order matters: the smtplib and ssl errors are OSErrors too, and a refused connection
    # and a timeout are the more specific OSErrors.
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return (
            f"{server} refused the recipient address {_refused_recipients(exc)}: check the "
            "customer's email addresses."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"{server} refused the sender address {settings.sender} ({_reply(exc)}): "
            "check MAIL_FROM."
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"{server} did not accept the user name and password ({_reply(exc)}): check "
            "SMTP_USERNAME and SMTP_PASSWORD."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if "STARTTLS" in str(exc).upper():
            return f"{server} does not offer STARTTLS: check SMTP_SECURITY (none, starttls or ssl)."
        return (
            f"{server} does not accept a login: leave SMTP_USERNAME empty, or check "
            "SMTP_SECURITY (many servers offer a login only over TLS)."
        )
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        # smtplib reports a server that never sent its greeting as "disconnected".
        return (
            f"{server} did not answer within {settings.timeout:g} seconds: check SMTP_HOST, "
            "SMTP_PORT and the network."
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return (
            f"{server} closed the connection unexpectedly: check SMTP_PORT and SMTP_SECURITY "
            "(ssl is usually port 465, starttls port 587)."
        )
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        return (
            f"{server} turned the connection away ({_reply(exc)}): it may be busy, so retry "
            "later; if it persists, check SMTP_HOST."
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{server} refused the message ({_reply(exc)})."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"{server} presented a certificate that could not be verified "
            f"({exc.verify_message}): check SMTP_HOST is the name on its certificate."
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"The secure connection (TLS) to {address} failed ({exc.reason or exc}): check "
            "SMTP_SECURITY and SMTP_PORT (ssl is usually port 465, starttls port 587)."
        )
    if isinstance(exc, socket.gaierror):
        return f"The mail server's name {settings.host} could not be found (DNS): check SMTP_HOST."
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"{server} refused the connection: check SMTP_HOST and SMTP_PORT, and that the "
            "mail server is running."
        )
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
        return f"{server} could not be reached ({reason}): check SMTP_HOST and the network."
    return f"The email could not be sent ({type(exc).__name__}: {exc})."


def explain_render_failure(reason: str) -> str:
    """The stored reason a PDF could not be rendered, and what can be done about it."""
    if "longer than" in reason:
        advice = "an admin can raise RENDER_TIME_LIMIT_SECONDS, then retry"
    else:
        advice = "retrying will not help until the document or the template is changed"
    return f"The PDF could not be rendered: {reason}; {advice}."

"""SMTP delivery: build the MIME message of an outbox row and hand it to the relay."""

import functools
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage as Mime
from email.utils import formatdate

from models import EmailMessage


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "none", "starttls" or "ssl"
    username: str
    password: str
    sender: str
    timeout: float = 30

    @classmethod
    def from_config(cls, config: Mapping) -> "SmtpSettings":
        """Read SMTP_* and MAIL_FROM from the app's settings."""
        security = config["SMTP_SECURITY"].lower()
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"SMTP_SECURITY must be none, starttls or ssl, not {security!r}")
        return cls(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            security=security,
            username=config["SMTP_USERNAME"] or "",
            password=config["SMTP_PASSWORD"] or "",
            sender=config["MAIL_FROM"],
        )


def message_id(message: EmailMessage, sender: str) -> str:
    """The same Message-ID on every attempt, so a repeat can be recognised downstream."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<outbox-{message.id}@{domain}>"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def build_mime(message: EmailMessage, sender: str, attachments: Sequence[Attachment] = ()) -> Mime:
    """Plain-text and HTML bodies, and the documents attached."""
    mime = Mime()
    mime["From"] = sender
    mime["To"] = message.recipients
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(message.created_at.timestamp(), usegmt=True)
    mime["Message-ID"] = message_id(message, sender)
    mime.set_content(message.body_text)
    mime.add_alternative(message.body_html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mime.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return mime


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the system certificates costs ~20 ms: once per process, and only for TLS.
    return ssl.create_default_context()


def deliver(settings: SmtpSettings, mime: Mime) -> None:
    """Send through the configured relay; raises on any refusal so the job is retried."""
    if settings.security == "ssl":
        context = _tls_context()
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=_tls_context())
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(mime)

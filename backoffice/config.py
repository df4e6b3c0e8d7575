"""Settings read from the environment, with documented defaults; fails fast when one is missing."""

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet
from limits import parse as parse_limit


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# name: (default, meaning). None means required outside tests.
SETTINGS: dict[str, tuple[str | None, str]] = {
    "DATABASE_URL": (None, "PostgreSQL URL, e.g. postgresql+psycopg://user@host/backoffice"),
    "DATABASE_REPLICA_URL": (
        "",
        "optional PostgreSQL read replica for list, search and report screens; while it is "
        "unset or unreachable they read the primary",
    ),
    "DATABASE_POOL_SIZE": (
        "5",
        "connections a process keeps open to each database (gunicorn.conf.py sets it to its "
        "threads per worker)",
    ),
    "DATABASE_MAX_OVERFLOW": ("2", "connections a process may open beyond that at a peak"),
    "REDIS_URL": ("redis://127.0.0.1:6379/0", "Redis URL for the RQ job queues"),
    "SECRET_KEY": (None, "long random string that signs sessions and CSRF tokens"),
    "SECURE_COOKIES": ("0", "1 to send cookies only over HTTPS (set it in production)"),
    "LOGIN_LIMIT_PER_ACCOUNT": (
        "5 per 15 minutes",
        "failed sign-ins per email in a sliding window; more wait until the oldest leaves it",
    ),
    "LOGIN_LIMIT_PER_IP": ("20 per 15 minutes", "failed sign-ins per client IP, likewise"),
    "SESSION_IDLE_MINUTES": ("30", "a session unused this long ends (sign in again)"),
    "SESSION_ABSOLUTE_HOURS": ("12", "a session ends this long after sign-in, used or not"),
    "DOCUMENTS_DIR": ("", "folder for rendered PDFs (default: instance/documents)"),
    "SMTP_HOST": ("127.0.0.1", "SMTP relay for outgoing email"),
    "SMTP_PORT": ("25", "its port"),
    "SMTP_SECURITY": ("none", "none, starttls or ssl"),
    "SMTP_USERNAME": ("", "login, if the relay needs one"),
    "SMTP_PASSWORD": ("", "password for that login"),
    "MAIL_FROM": ("billing@localhost", "sender address of invoice emails"),
    "JOB_RETRY_INTERVALS": (
        "10,30,60,120,300",
        "seconds between a failed job's retries; after the last it shows as failed",
    ),
    "RENDER_TIME_LIMIT_SECONDS": (
        "120",
        "how long one PDF may take to render before it fails for good (below the render job's "
        "180 s timeout)",
    ),
    "STRIPE_SECRET_KEY": ("", "Stripe secret API key (sk_...); card payment links need it"),
    "STRIPE_WEBHOOK_SECRET": (
        "",
        "signing secret (whsec_...) of the Stripe webhook endpoint POST /webhooks/stripe; "
        "unset, every event is refused",
    ),
    "STRIPE_API_BASE": ("https://api.stripe.com", "Stripe API base URL (tests: a local server)"),
    "STRIPE_SUCCESS_URL": ("", "where Stripe sends a customer who paid by card"),
    "STRIPE_CANCEL_URL": (
        "",
        "where Stripe sends a customer who left the card page (default: STRIPE_SUCCESS_URL)",
    ),
    "LOG_LEVEL": ("INFO", "DEBUG, INFO, WARNING or ERROR: the least severe events logged"),
    "REPORT_CACHE_SECONDS": (
        "60",
        "how long a report's or the dashboard's figures are kept in Redis and shown again "
        "(0: computed on every request)",
    ),
    "WORKER_MAINTENANCE_SECONDS": (
        "10",
        "how often a worker recovers jobs of killed workers (RQ's default is 600), restarts a "
        "scheduler no worker runs and relays work Redis lost or never got",
    ),
    "SYNC_ENCRYPTION_KEY": (
        "",
        "Fernet key(s) sealing accounting connections' secrets and tokens, comma-separated, "
        "the newest first (rotation: README, Accounting sync); unset: no connection can be "
        "made",
    ),
    "SYNC_HTTP_TIMEOUT_SECONDS": ("30", "how long one accounting API call may take"),
    "SYNC_CATCH_UP_MINUTES": (
        "5",
        "a sync still pending this long after it was due is asked for again (its job was lost)",
    ),
    "XERO_API_URL": ("https://api.xero.com/api.xro/2.0", "Xero Accounting API"),
    "XERO_TOKEN_URL": ("https://identity.xero.com/connect/token", "Xero's OAuth 2.0 tokens"),
    "QBO_API_URL": ("https://quickbooks.api.intuit.com/v3/company", "QuickBooks Online API"),
    "QBO_TOKEN_URL": (
        "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        "QuickBooks Online's OAuth 2.0 tokens",
    ),
    "MYOB_API_URL": ("https://api.myob.com/accountright", "MYOB Business API"),
    "MYOB_TOKEN_URL": ("https://secure.myob.com/oauth2/v1/authorize", "MYOB's OAuth 2.0 tokens"),
    "XERO_AUTH_URL": (
        "https://login.xero.com/identity/connect/authorize",
        "where Xero asks the person connecting for consent (OAuth 2.0 authorization code)",
    ),
    "XERO_CONNECTIONS_URL": (
        "https://api.xero.com/connections",
        "the Xero organisations a connection reaches (its tenant is picked there)",
    ),
    "QBO_AUTH_URL": ("https://appcenter.intuit.com/connect/oauth2", "QuickBooks Online consent"),
    "MYOB_AUTH_URL": ("https://secure.myob.com/oauth2/account/authorize", "MYOB consent"),
}


def load(environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from environ; overrides (tests) win over the environment."""
    overrides = dict(overrides or {})
    values: dict[str, Any] = {}
    missing = []
    for name, (default, meaning) in SETTINGS.items():
        value = overrides.get(name, environ.get(name, default))
        if value is None and not overrides.get("TESTING"):
            missing.append(f"  {name}: {meaning}")
        values[name] = value
    if missing:
        raise ConfigError(
            "Missing required settings (set them in the environment):\n" + "\n".join(missing)
        )
    secure = str(values["SECURE_COOKIES"]).lower() in {"1", "true", "yes"}
    log_level = str(values["LOG_LEVEL"]).upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(
            f"LOG_LEVEL is {values['LOG_LEVEL']!r}; use one of {', '.join(LOG_LEVELS)}."
        )
    values |= {
        **engines(values),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "LOG_LEVEL": log_level,
        **rate_limits(values),
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=positive(values, "SESSION_IDLE_MINUTES")),
        "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=positive(values, "SESSION_ABSOLUTE_HOURS")),
        "JOB_RETRY_INTERVALS": [
            int(part) for part in str(values["JOB_RETRY_INTERVALS"]).split(",")
        ],
        "RENDER_TIME_LIMIT_SECONDS": positive(values, "RENDER_TIME_LIMIT_SECONDS"),
        "SYNC_ENCRYPTION_KEY": sync_keys(values),
        "SYNC_HTTP_TIMEOUT_SECONDS": positive(values, "SYNC_HTTP_TIMEOUT_SECONDS"),
        "SYNC_CATCH_UP_MINUTES": positive(values, "SYNC_CATCH_UP_MINUTES"),
        "REPORT_CACHE_SECONDS": whole(values, "REPORT_CACHE_SECONDS", 0),
        "WTF_CSRF_TIME_LIMIT": None,
        "FLASK_ADMIN_SWATCH": "cosmo",
    }
    # Settings above were parsed from the overrides too; anything else is taken as given.
    values.update({name: value for name, value in overrides.items() if name not in SETTINGS})
    return values


def positive(values: Mapping[str, Any], name: str) -> float:
    """A setting that must be a number above zero."""
    try:
        number = float(values[name])
    except ValueError:
        number = 0
    if not number > 0:
        raise ConfigError(f"{name} is {values[name]!r}; give a number above zero.")
    return number


def whole(values: Mapping[str, Any], name: str, minimum: int) -> int:
    """A setting that must be a whole number of at least minimum."""
    text = str(values[name]).strip()
    if not text.isdigit() or int(text) < minimum:
        raise ConfigError(f"{name} is {values[name]!r}; give a whole number from {minimum} up.")
    return int(text)


def sync_keys(values: Mapping[str, Any]) -> str:
    """SYNC_ENCRYPTION_KEY, checked to be Fernet keys so a typo stops the app at start."""
    text = str(values["SYNC_ENCRYPTION_KEY"] or "").strip()
    for key in filter(None, (part.strip() for part in text.split(","))):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                "SYNC_ENCRYPTION_KEY holds something that is not a Fernet key; make one with "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from None
    return text


def engines(values: Mapping[str, Any]) -> dict[str, Any]:
    """The primary's engine (flask-sqlalchemy-lite's) and the optional replica's options."""
    pool = {
        "pool_pre_ping": True,
        "pool_size": whole(values, "DATABASE_POOL_SIZE", 1),
        "max_overflow": whole(values, "DATABASE_MAX_OVERFLOW", 0),
    }
    # psycopg prepares a statement on the server once a connection has run it 5 times, and
    # PostgreSQL may then keep one generic plan for every value: blind to a search pattern,
    # that plan cannot use the trigram indexes (a name search went from 40 ms to 680 ms).
    # Planning each statement for its values costs well under a millisecond.
    custom_plans = {"prepare_threshold": None}
    replica = None
    if values["DATABASE_REPLICA_URL"]:
        replica = {
            "url": values["DATABASE_REPLICA_URL"],
            **pool,
            # A replica that does not answer costs a request 2 s (libpq's minimum), then the
            # primary serves the read (backoffice/database.py).
            "connect_args": {"connect_timeout": 2, **custom_plans},
            # Whatever reaches it by mistake is refused, as a hot standby would.
            "execution_options": {"postgresql_readonly": True},
        }
    return {
        "SQLALCHEMY_ENGINES": {
            "default": {"url": values["DATABASE_URL"], **pool, "connect_args": custom_plans}
        },
        "REPLICA_ENGINE": replica,
    }


def rate_limits(values: Mapping[str, Any]) -> dict[str, Any]:
    """Flask-Limiter's settings: sign-in limits checked here, counted in Redis."""
    for name in ("LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_IP"):
        try:
            parse_limit(str(values[name]))
        except ValueError:
            raise ConfigError(
                f"{name} is {values[name]!r}; write it like '5 per 15 minutes'."
            ) from None
    return {
        "RATELIMIT_STORAGE_URI": values["REDIS_URL"],
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away: count in this process's memory instead of failing the sign-in.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
    }


def from_environment(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Load settings from this process's environment."""
    return load(os.environ, overrides)

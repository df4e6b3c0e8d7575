"""What the sync needs from the deployment's settings: keys, provider URLs, time limits."""

from collections.abc import Mapping
from dataclasses import dataclass

from models import SyncProvider

# Setting names of each provider's API and token URLs.
URL_SETTINGS = {
    SyncProvider.XERO: ("XERO_API_URL", "XERO_TOKEN_URL", "XERO_AUTH_URL"),
    SyncProvider.QUICKBOOKS: ("QBO_API_URL", "QBO_TOKEN_URL", "QBO_AUTH_URL"),
    SyncProvider.MYOB: ("MYOB_API_URL", "MYOB_TOKEN_URL", "MYOB_AUTH_URL"),
}


@dataclass(frozen=True)
class Endpoints:
    api_url: str
    token_url: str
    auth_url: str = ""  # where the person connecting gives consent (authorization code)


@dataclass(frozen=True)
class SyncSettings:
    keys: str = ""  # SYNC_ENCRYPTION_KEY, never logged
    endpoints: Mapping[str, Endpoints] | None = None
    timeout_seconds: float = 30
    catch_up_minutes: float = 5
    xero_connections_url: str = ""

    @classmethod
    def from_config(cls, config: Mapping) -> "SyncSettings":
        """Read SYNC_* and the providers' URLs from the app's settings."""
        return cls(
            keys=config["SYNC_ENCRYPTION_KEY"],
            endpoints={
                provider.value: Endpoints(config[api].rstrip("/"), config[token], config[auth])
                for provider, (api, token, auth) in URL_SETTINGS.items()
            },
            timeout_seconds=float(config["SYNC_HTTP_TIMEOUT_SECONDS"]),
            catch_up_minutes=float(config["SYNC_CATCH_UP_MINUTES"]),
            xero_connections_url=config["XERO_CONNECTIONS_URL"],
        )

    def __repr__(self) -> str:
        return f"SyncSettings(endpoints={self.endpoints!r}, timeout={self.timeout_seconds})"

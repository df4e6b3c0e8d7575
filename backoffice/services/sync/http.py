"""The HTTP layer every provider client shares: explicit timeouts, OAuth 2.0 refresh, and the
provider's answer sorted into what the caller does next (done, retry later, wait, give up).

Nothing here logs a header or a body: tokens and secrets travel only in headers and the
token request's form, and errors carry the provider's message, never what was sent.
"""

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import requests

from models import utcnow

log = logging.getLogger(__name__)
# An access token this close to its expiry is refreshed first: the call may take that long.
EXPIRY_MARGIN = timedelta(seconds=60)
CONNECT_TIMEOUT_SECONDS = 5
DEFAULT_RETRY_AFTER_SECONDS = 60


class SyncFailure(Exception):
    """A push did not go through; message is what finance reads on the sync record."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Rejected(SyncFailure):
    """The provider refused the request (4xx): the same request would fail the same way."""


class ReconnectNeeded(Rejected):
    """The provider refused the refresh token: someone must connect the company again."""


class Conflict(Rejected):
    """The provider's copy changed since it was read (QuickBooks' stale SyncToken)."""


class Transient(SyncFailure):
    """A 5xx, a timeout or a lost connection: retry later under the same idempotency key."""


class RateLimited(SyncFailure):
    """429: the provider asks to wait retry_after seconds; not a failure of the record."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime | None

    def expire_soon(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at - EXPIRY_MARGIN <= now


class TokenSource(Protocol):
    """Where a client gets its tokens and has them refreshed (and stored) once they expire."""

    def current(self) -> Tokens: ...

    def refreshed(self, stale: Tokens) -> Tokens: ...


def dumps(payload: Any, indent: int | None = None) -> str:
    """JSON with Decimals written as exact numbers (the json module would go through float)."""
    nonce = uuid.uuid4().hex
    exact: dict[str, str] = {}

    def number(value: Any) -> str:
        if not isinstance(value, Decimal):
            raise TypeError(f"{type(value).__name__} is not JSON serializable")
        mark = f"{nonce}:{len(exact)}"
        exact[mark] = format(value, "f")
        return mark

    text = json.dumps(payload, default=number, ensure_ascii=False, indent=indent)
    for mark, digits in exact.items():
        text = text.replace(f'"{mark}"', digits)
    return text


def retry_after_seconds(response: requests.Response, now: datetime) -> int:
    """Retry-After in whole seconds (it may be a number or an HTTP date), at least 1."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return max(1, int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_SECONDS
    return max(1, int((when - now).total_seconds() + 0.999))


def refresh_tokens(
    http: requests.Session,
    token_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    timeout: float,
    credentials_in_body: bool = False,
) -> Tokens:
    """The OAuth 2.0 refresh_token grant (RFC 6749 §6); the client authenticates by HTTP
    Basic, or in the form where the provider wants it there (MYOB)."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return token_request(
        http, token_url, form, client_id, client_secret, timeout, credentials_in_body
    )


def token_request(
    http: requests.Session,
    token_url: str,
    form: dict[str, str],
    client_id: str,
    client_secret: str,
    timeout: float,
    credentials_in_body: bool = False,
) -> Tokens:
    """POST a grant to the token endpoint (RFC 6749 §4.1.3, §6); the tokens it answers."""
    refresh_token = form.get("refresh_token", "")
    if credentials_in_body:
        form = {**form, "client_id": client_id, "client_secret": client_secret}
    try:
        response = http.post(
            token_url,
            data=form,
            auth=None if credentials_in_body else (client_id, client_secret),
            headers={"Accept": "application/json"},
            timeout=(CONNECT_TIMEOUT_SECONDS, timeout),
        )
    except requests.RequestException as exc:
        raise Transient(f"The token endpoint did not answer ({type(exc).__name__}).") from None
    log.info("Token request (%s) at %s: %s", form["grant_type"], token_url, response.status_code)
    if response.status_code in (400, 401):
        reason = _json(response).get("error", f"HTTP {response.status_code}")
        what = "refresh token" if form["grant_type"] == "refresh_token" else "authorization"
        raise ReconnectNeeded(f"The provider refused the {what} ({reason}): connect again.")
    _raise_for_unavailable(response, "The token endpoint")
    if not response.ok:
        raise Rejected(f"The token endpoint answered HTTP {response.status_code}.")
    answer = _json(response)
    expires_in = answer.get("expires_in")
    return Tokens(
        access_token=answer["access_token"],
        # Providers rotate refresh tokens (Xero, QuickBooks); the old one may not work again.
        refresh_token=answer.get("refresh_token") or refresh_token,
        expires_at=utcnow() + timedelta(seconds=int(expires_in)) if expires_in else None,
    )


class ApiClient:
    """Calls one provider's API for one connection: bearer token, timeouts, one refresh on 401."""

    def __init__(
        self,
        http: requests.Session,
        base_url: str,
        tokens: TokenSource,
        *,
        provider: str,
        headers: Mapping[str, str],
        describe_error: Callable[[requests.Response], str],
        timeout: float,
        is_conflict: Callable[[requests.Response], bool] = lambda response: False,
        before_call: Callable[[], None] = lambda: None,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._provider = provider
        self._headers = dict(headers)
        self._describe_error = describe_error
        self._timeout = timeout
        self._is_conflict = is_conflict
        # Raises RateLimited before a call the provider's limit would refuse (jobs/sync.py).
        self._before_call = before_call

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        idempotency_key: str | None = None,
        key_header: str | None = "Idempotency-Key",
        params: Mapping[str, str] | None = None,
        gone_ok: bool = False,
    ) -> dict[str, Any]:
        """Send one request and return the provider's JSON answer, or raise a SyncFailure.

        key_header None: the provider takes the key elsewhere (QuickBooks: a query parameter);
        gone_ok: a 404 is the answer wanted (deleting what an earlier attempt deleted).
        """
        tokens = self._tokens.current()
        if tokens.expire_soon(utcnow()):
            tokens = self._tokens.refreshed(tokens)
        headers = {"Accept": "application/json", **self._headers}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key and key_header:
            headers[key_header] = idempotency_key
        data = dumps(body) if body is not None else None
        response = self._send(method, path, headers, tokens, data, params)
        if response.status_code == 401:
            # The token was revoked or expired early: refresh once, then the answer stands.
            tokens = self._tokens.refreshed(tokens)
            response = self._send(method, path, headers, tokens, data, params)
        if gone_ok and response.status_code == 404:
            return {}
        return self._answer(response)

    def _send(self, method, path, headers, tokens, data, params) -> requests.Response:
        self._before_call()
        try:
            response = self._http.request(
                method,
                f"{self._base_url}{path}",
                headers={**headers, "Authorization": f"Bearer {tokens.access_token}"},
                data=data.encode() if data is not None else None,
                params=params,
                timeout=(CONNECT_TIMEOUT_SECONDS, self._timeout),
            )
        except requests.RequestException as exc:
            raise Transient(
                f"{self._provider} did not answer {method} {path} ({type(exc).__name__})."
            ) from None
        log.info("%s %s %s: %s", self._provider, method, path, response.status_code)
        return response

    def _answer(self, response: requests.Response) -> dict[str, Any]:
        if response.ok:
            answer = _json(response)
            if not answer and "Location" in response.headers:
                # Created, answered with where it is (MYOB without returnBody).
                return {"Location": response.headers["Location"]}
            return answer
        _raise_for_unavailable(response, self._provider)
        if response.status_code == 401:
            raise ReconnectNeeded(
                f"{self._provider} refused the access token even after a refresh: connect again."
            )
        if self._is_conflict(response):
            raise Conflict(self._describe_error(response))
        raise Rejected(self._describe_error(response))


def _raise_for_unavailable(response: requests.Response, who: str) -> None:
    if response.status_code == 429:
        seconds = retry_after_seconds(response, utcnow())
        raise RateLimited(f"{who} limits calls: waiting {seconds} s.", seconds)
    if response.status_code >= 500:
        raise Transient(f"{who} answered HTTP {response.status_code} {response.reason}.")


def _json(response: requests.Response) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        answer = response.json(parse_float=Decimal)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {"items": answer}

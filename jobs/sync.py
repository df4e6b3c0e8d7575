"""Push one sync record to its provider, a step per transaction (services/sync/push.py)."""

import functools
import time
from datetime import timedelta

import requests
from flask import current_app
from redis import Redis

from backoffice.services.sync import clients, connections, push
from backoffice.services.sync.http import RateLimited, Tokens, Transient, refresh_tokens
from backoffice.services.sync.sealing import keyring
from backoffice.services.sync.settings import SyncSettings
from models import AccountingConnection

from .context import is_last_attempt, job_session, no_more_retries

# A credit note is at most four steps (customer, invoice, note, allocation); more is a bug.
MAX_STEPS = 8


class SyncJobFailed(RuntimeError):
    """The push failed; the sync record holds the provider's message."""


class StoredTokens:
    """A connection's tokens, refreshed under the connection's row lock and stored at once."""

    def __init__(self, connection: AccountingConnection, settings: SyncSettings, http) -> None:
        self._connection_id = connection.id
        self._ring = keyring(settings.keys)
        self._credentials = connections.credentials(connection, self._ring)
        self._token_url = settings.endpoints[connection.provider].token_url
        self._in_form = connection.provider in clients.CREDENTIALS_IN_TOKEN_FORM
        self._timeout = settings.timeout_seconds
        self._http = http

    @property
    def tenant_id(self) -> str:
        return self._credentials.tenant_id

    @property
    def client_id(self) -> str:
        return self._credentials.client_id

    def current(self) -> Tokens:
        return self._credentials.tokens

    def refreshed(self, stale: Tokens) -> Tokens:
        def grant(opened: connections.Credentials) -> Tokens:
            return refresh_tokens(
                self._http,
                self._token_url,
                opened.client_id,
                opened.client_secret,
                opened.tokens.refresh_token,
                self._timeout,
                credentials_in_body=self._in_form,
            )

        with job_session() as session:
            try:
                tokens = connections.refresh(session, self._connection_id, self._ring, stale, grant)
            finally:
                # Committed whatever happens: a rotated refresh token, or "reconnect".
                session.commit()
        self._credentials.tokens = tokens
        return tokens


def spend_call(redis: Redis, tenant: str, limit: int, now: float | None = None) -> None:
    """Count one call against the tenant's calls this minute (shared by every worker in
    Redis); over the limit, RateLimited until the next minute instead of the provider's 429."""
    now = time.time() if now is None else now
    minute = int(now // 60)
    key = f"sync-calls:{tenant}:{minute}"
    with redis.pipeline() as pipe:
        count, _ = pipe.incr(key).expire(key, 120).execute()
    if count > limit:
        wait = max(1, 60 * (minute + 1) - int(now))
        raise RateLimited(f"{limit} calls a minute used for this tenant: waiting {wait} s.", wait)


def push_sync_record(record_id: int, request_count: int) -> str:
    """Push a record and what it needs; raise on failure (a transient one is retried)."""
    settings = SyncSettings.from_config(current_app.config)
    redis = current_app.extensions["dispatcher"].connection
    final = is_last_attempt()
    with requests.Session() as http:

        def open_client(connection: AccountingConnection) -> push.Provider:
            tokens = StoredTokens(connection, settings, http)
            limit = clients.CALLS_PER_MINUTE.get(connection.provider, 0)
            budget = functools.partial(
                spend_call, redis, f"{connection.provider}:{tokens.tenant_id}", limit
            )
            return clients.open_client(
                connection.provider,
                http,
                settings,
                tokens.tenant_id,
                tokens,
                budget,
                client_id=tokens.client_id,
            )

        for _ in range(MAX_STEPS):
            with job_session() as session:
                outcome = push.push_step(session, record_id, request_count, open_client, final)
                session.commit()
            if outcome.later is not None:
                current_app.extensions["dispatcher"].enqueue(
                    outcome.later, delay=timedelta(seconds=outcome.delay_seconds)
                )
            if outcome.failure is not None:
                if not isinstance(outcome.failure, Transient):
                    no_more_retries()
                raise SyncJobFailed(outcome.message)
            if outcome.finished:
                return outcome.message
    raise SyncJobFailed(f"Sync record {record_id} needed more than {MAX_STEPS} steps.")

"""Find PostgreSQL and Redis: the environment's URLs, else the local servers, else embedded.

Database URLs use the ``postgresql+psycopg://`` form SQLAlchemy wants; Redis URLs
are ``redis://`` (redis-py refuses ``valkey://``).
"""

from __future__ import annotations

import os
import pwd
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

from .embedded import EmbeddedPostgres, EmbeddedRedis

LOCAL_PG_HOST, LOCAL_PG_PORT = "127.0.0.1", 5432
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
APP_DB, TEST_DB = "backoffice", "backoffice_test"


def log(message: str) -> None:
    """One progress line on stderr, so that stdout stays for command output."""
    print(f"devstack: {message}", file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    """The same PostgreSQL URL with another database name."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def with_redis_db(url: str, number: int) -> str:
    """The same Redis URL with another database number."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


def libpq_url(url: str) -> str:
    """The URL psycopg/libpq takes: the SQLAlchemy one without its +driver."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=parts.scheme.split("+")[0]))


def redact(url: str) -> str:
    """The URL with its password hidden, for log lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def pg_reachable(url: str) -> bool:
    """Whether we can log in to the URL's database right now."""
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def redis_reachable(url: str) -> bool:
    """Whether the Redis server at the URL answers PING."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def os_user() -> str:
    """Name of the user we run as (not $USER, which sudo and CI may not set)."""
    return pwd.getpwuid(os.getuid()).pw_name


def local_postgres_url() -> str | None:
    """URL of the app database on the local server (trust auth), or None if down."""
    for user in dict.fromkeys(("postgres", os_user())):
        url = f"postgresql+psycopg://{user}@{LOCAL_PG_HOST}:{LOCAL_PG_PORT}/postgres"
        if pg_reachable(url):
            return with_database(url, APP_DB)
    return None


def ensure_database(url: str) -> bool:
    """Create the URL's database if it is missing; True if it was created."""
    name = urlsplit(url).path.lstrip("/")
    maintenance = libpq_url(with_database(url, "postgres"))
    with psycopg.connect(maintenance, connect_timeout=5, autocommit=True) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if conn.execute(query, (name,)).fetchone():
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:  # another devstack was quicker
            return False
    return True


@dataclass
class Services:
    """Resolved URLs, where each came from, and the embedded servers we started."""

    database_url: str = ""
    redis_url: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    embedded: list[EmbeddedPostgres | EmbeddedRedis] = field(default_factory=list)

    def start_embedded(self, server: EmbeddedPostgres | EmbeddedRedis) -> str:
        """Start an embedded server, remembering it first so stop() covers a half start."""
        self.embedded.append(server)
        started = time.monotonic()
        url = server.start()
        details = [f"started in {time.monotonic() - started:.1f} s", *server.recovered]
        self.sources[server.name] = f"embedded ({'; '.join(details)})"
        return url

    def stop(self) -> None:
        """Stop the embedded servers, last started first."""
        for server in reversed(self.embedded):
            server.stop()


def resolve(services: Services, env: Mapping[str, str], instance: Path, slot: str) -> None:
    """Fill in services from env, else the local servers, else embedded ones.

    BACKOFFICE_EMBEDDED=1 skips straight to the embedded servers. ``slot`` names
    the embedded Redis data dir (instance/valkey/<slot>) so that, for example,
    ``run`` and ``test`` can each have their own at the same time.
    """
    force = env.get("BACKOFFICE_EMBEDDED") == "1"

    if env.get("DATABASE_URL") and not force:
        services.database_url = env["DATABASE_URL"]
        services.sources["PostgreSQL"] = "from DATABASE_URL"
    elif not force and (url := local_postgres_url()):
        services.database_url = url
        services.sources["PostgreSQL"] = "local"
    else:
        pg = EmbeddedPostgres(instance / "pgdata18")  # PostgreSQL 18 data, not older ones
        services.database_url = with_database(services.start_embedded(pg), APP_DB)
    log(f"PostgreSQL: {services.sources['PostgreSQL']}: {redact(services.database_url)}")

    if env.get("REDIS_URL") and not force:
        services.redis_url = env["REDIS_URL"]
        services.sources["Redis"] = "from REDIS_URL"
    elif not force and redis_reachable(LOCAL_REDIS_URL):
        services.redis_url = LOCAL_REDIS_URL
        services.sources["Redis"] = "local"
    else:
        valkey = EmbeddedRedis(instance / "valkey" / slot)
        services.redis_url = services.start_embedded(valkey)
    log(f"Redis: {services.sources['Redis']}: {services.redis_url}")

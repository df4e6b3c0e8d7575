"""Sync jobs Redis lost come back, a real worker pushes through a rate limit, and nothing
secret reaches the logs or the audit trail."""

import logging
import sys
from datetime import timedelta

from sqlalchemy import select, text, update

from jobs.relay import relay_pass
from models import AuditEvent, SyncRecord
from tests.fake_xero import CLIENT_SECRET, Fault
from tests.logcapture import log_lines

from .conftest import run_jobs
from .sync_setup import KEY, connect_xero
from .test_crash_recovery import environment, start, stop, wait_for
from .test_sync_xero import issue, sync_record

WORKER = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--queue", "sync"]


def test_pending_sync_lost_by_redis_is_enqueued_again_once(xero_app, redis, world, connected, xero):
    invoice = issue(world)
    redis.flushdb()  # Redis restarted before a worker took the job
    record = sync_record(world, "invoice", invoice.id)
    minutes = timedelta(minutes=5)
    assert relay_pass(xero_app, sync_grace=minutes) == []  # still fresh: its job may come

    world.session.execute(
        update(SyncRecord)
        .where(SyncRecord.id == record.id)
        .values(next_attempt_at=record.next_attempt_at - timedelta(minutes=6))
    )
    world.session.commit()
    assert relay_pass(xero_app, sync_grace=minutes) == [f"sync-{record.id}-r1"]
    assert relay_pass(xero_app, sync_grace=minutes) == []  # Redis holds it now
    run_jobs(xero_app, redis, ("sync",))

    assert sync_record(world, "invoice", invoice.id).status == "synced"
    assert len(xero.records["Invoices"]) == 1
    assert relay_pass(xero_app, sync_grace=minutes) == []


def test_real_worker_waits_out_a_rate_limit_and_pushes_once(
    xero_app, redis, world, connected, xero, database_url, tmp_path
):
    xero.faults.append(Fault("PUT", "/Invoices", 429, {"Title": "Too Many"}, {"Retry-After": "1"}))
    invoice = issue(world)
    env = environment(database_url, xero_app.config["REDIS_URL"], tmp_path) | {
        "SYNC_ENCRYPTION_KEY": KEY,
        "XERO_API_URL": xero.api_url,
        "XERO_TOKEN_URL": xero.token_url,
    }
    worker = start(WORKER, env, tmp_path / "worker.log")
    try:
        wait_for(
            lambda: sync_record(world, "invoice", invoice.id).status == "synced",
            timeout=90,
            what="the invoice to reach Xero after the rate limit",
        )
    finally:
        stop(worker)

    record = sync_record(world, "invoice", invoice.id)
    assert (record.attempts, record.request_count, record.last_error) == (0, 2, "")
    assert len(xero.writes("/api.xro/2.0/Invoices")) == 2  # the 429, then the push
    assert len(xero.records["Invoices"]) == 1


def test_secrets_and_tokens_reach_neither_logs_nor_audit_trail(xero_app, redis, world, xero):
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)  # requests and urllib3 say most at DEBUG
    try:
        with log_lines() as lines:
            connect_xero(world, xero, expires_in=timedelta(minutes=-1))
            issue(world)
            run_jobs(xero_app, redis, ("sync",))  # refreshes the expired token first
            xero.access_token = "revoked-elsewhere"  # a 401, then a second refresh
            xero.faults.append(Fault("PUT", "/Invoices", 400, {"Message": "Rejected"}))
            issue(world)
            run_jobs(xero_app, redis, ("sync",))
    finally:
        root.setLevel(level)

    secrets = [CLIENT_SECRET, KEY, *xero.issued_tokens]
    assert len(secrets) == 8  # the client secret, the key, three pairs of tokens
    logged = "\n".join(lines)
    assert "Xero PUT /Invoices: 400" in logged  # the log did record the pushes
    assert [secret for secret in secrets if secret in logged] == []
    trail = world.session.scalars(
        select(text("CAST(before AS text) || CAST(after AS text) || detail")).select_from(
            AuditEvent
        )
    ).all()
    assert trail and [s for s in secrets if any(s in (row or "") for row in trail)] == []

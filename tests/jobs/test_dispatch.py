"""The dispatcher: each app's commits reach that app's Redis, by kind, and only after commit."""

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from backoffice.extensions import db
from backoffice.services import work
from jobs.dispatch import Dispatcher, UnknownJobKind
from models import Company
from tests import factories

# Redis databases of their own, so two apps can be told apart; emptied before and after.
SPARE_DBS = (13, 14)


def _request(job_id: str) -> work.JobRequest:
    return work.JobRequest(kind="render_pdf", args=(1,), job_id=job_id)


@pytest.fixture
def spare_redis(shared_app):
    base = shared_app.config["REDIS_URL"].rsplit("/", 1)[0]
    connections = {number: Redis.from_url(f"{base}/{number}") for number in SPARE_DBS}
    for connection in connections.values():
        connection.flushdb()
    yield connections
    for connection in connections.values():
        connection.flushdb()
        connection.close()


def test_each_sessionmaker_enqueues_on_its_own_redis_when_two_live_in_one_process(
    engine, spare_redis
):
    # Two apps in one process (tests, or a CLI next to the web app) used to share one global
    # connection: the last one built decided where every job went.
    connections = spare_redis
    for number, job_id in ((13, "pdf-1-v1"), (14, "pdf-2-v1")):
        sessions = sessionmaker(engine)
        Dispatcher(connections[number], retry_intervals=[0]).attach(sessions)
        with sessions() as session:
            work.request_job(session, _request(job_id))
            session.commit()
    assert Queue("pdf", connection=connections[13]).job_ids == ["pdf-1-v1"]
    assert Queue("pdf", connection=connections[14]).job_ids == ["pdf-2-v1"]


def test_the_app_keeps_its_dispatcher_on_its_own_redis(jobs_app):
    dispatcher = jobs_app.extensions["dispatcher"]
    expected = Redis.from_url(jobs_app.config["REDIS_URL"]).connection_pool.connection_kwargs
    assert dispatcher.connection.connection_pool.connection_kwargs["db"] == expected["db"]


def test_nothing_is_enqueued_when_the_transaction_rolls_back(live_app, redis):
    with live_app.app_context():
        session = db.sessionmaker()
        session.execute(select(1))  # a transaction in progress, as in any service call
        work.request_job(session, _request("pdf-3-v1"))
        session.rollback()
        session.commit()  # the session's next transaction must not carry the old request
        session.close()
    assert Queue("pdf", connection=redis).count == 0


def test_an_unknown_kind_refuses_the_commit_and_keeps_nothing(live_app, redis, committed_engine):
    with live_app.app_context():
        session = db.sessionmaker()
        factories.make_company(session, name="Never Committed GmbH")
        work.request_job(session, work.JobRequest(kind="render_pfd", args=(1,), job_id="pdf-4-v1"))
        with pytest.raises(UnknownJobKind, match="No job kind 'render_pfd'.*jobs/registry.py"):
            session.commit()
        session.rollback()
        count = session.scalar(select(func.count()).select_from(Company))
        session.close()
    assert count == 0
    assert all(Queue(name, connection=redis).count == 0 for name in ("pdf", "default"))

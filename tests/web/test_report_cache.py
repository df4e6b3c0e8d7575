"""Expired report figures are computed by one request while the others wait for them."""

import pickle
import threading
import uuid

import pytest

from backoffice.admin.reports import cache


@pytest.fixture
def key(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_CACHE_SECONDS", 60)
    name = f"test-{uuid.uuid4().hex}"
    yield name
    app.extensions["dispatcher"].connection.delete(cache.PREFIX + name, cache.LOCK_PREFIX + name)


def _ask_in_thread(app, key: str, computed: list) -> tuple[threading.Thread, dict]:
    answer: dict = {}

    def ask() -> None:
        with app.app_context():
            answer["figures"] = cache.cached(key, lambda: computed.append(1) or "computed here")

    thread = threading.Thread(target=ask)
    thread.start()
    return thread, answer


def test_a_request_waits_for_the_figures_another_one_is_computing(app, key):
    redis = app.extensions["dispatcher"].connection
    redis.set(cache.LOCK_PREFIX + key, "another request", ex=30)
    computed: list = []
    thread, answer = _ask_in_thread(app, key, computed)
    redis.set(cache.PREFIX + key, pickle.dumps("computed by the other"), ex=60)
    thread.join(timeout=10)
    assert answer == {"figures": "computed by the other"} and computed == []


def test_a_request_computes_itself_when_the_other_one_gave_up(app, key):
    redis = app.extensions["dispatcher"].connection
    redis.set(cache.LOCK_PREFIX + key, "another request", ex=30)
    computed: list = []
    thread, answer = _ask_in_thread(app, key, computed)
    redis.delete(cache.LOCK_PREFIX + key)  # it failed: no figures will come
    thread.join(timeout=10)
    assert answer == {"figures": "computed here"} and computed == [1]
    assert pickle.loads(redis.get(cache.PREFIX + key)) == "computed here"
    assert not redis.exists(cache.LOCK_PREFIX + key)


def test_a_request_stops_waiting_for_a_computation_that_never_ends(app, key, monkeypatch):
    monkeypatch.setattr(cache, "WAIT_SECONDS", 0.2)
    redis = app.extensions["dispatcher"].connection
    redis.set(cache.LOCK_PREFIX + key, "a request that hangs", ex=30)
    with app.app_context():
        assert cache.cached(key, lambda: "computed here") == "computed here"
    assert redis.get(cache.LOCK_PREFIX + key) == b"a request that hangs"  # not ours to drop


def test_a_failed_computation_releases_its_lock(app, key):
    with app.app_context(), pytest.raises(ZeroDivisionError):
        cache.cached(key, lambda: 1 / 0)
    assert not app.extensions["dispatcher"].connection.exists(cache.LOCK_PREFIX + key)

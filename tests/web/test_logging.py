"""Log lines: one per event, each naming the request it belongs to."""

import pytest

from backoffice.config import ConfigError, load
from tests.logcapture import log_lines

from .conftest import csrf_token


def test_a_refused_request_logs_one_line_with_its_request_id(client_as, users, customer):
    client = client_as("support")
    token = csrf_token(client, f"/admin/customer/details/?id={customer.id}")
    with log_lines() as lines:
        response = client.post(
            "/admin/customer/delete/",
            data={"id": customer.id, "csrf_token": token},
            headers={"X-Request-ID": "trace-4711"},
        )
    assert response.status_code == 403
    assert response.headers["X-Request-ID"] == "trace-4711"
    refused = [line for line in lines if "Refused POST /admin/customer/delete/" in line]
    assert len(refused) == 1
    assert "WARNING" in refused[0] and "[request=trace-4711]" in refused[0]
    assert "support@test.example" in refused[0]


def test_an_unsafe_request_id_is_replaced_when_it_could_forge_a_line(app):
    response = app.test_client().get("/login", headers={"X-Request-ID": "x] forged\tline"})
    echoed = response.headers["X-Request-ID"]
    assert echoed != "x] forged\tline"
    assert len(echoed) == 32 and echoed.isalnum()


def test_every_request_gets_its_own_id_when_none_is_given(app):
    client = app.test_client()
    first, second = (client.get("/login").headers["X-Request-ID"] for _ in range(2))
    assert first and second and first != second


def test_an_unknown_log_level_fails_fast_with_the_choices():
    with pytest.raises(ConfigError, match="LOG_LEVEL is 'LOUD'; use one of DEBUG, INFO"):
        load({"LOG_LEVEL": "LOUD"}, {"TESTING": True})

"""Browser tests serve the same app the HTTP tests use."""

from tests.web.conftest import shared_app  # noqa: F401 (a fixture)

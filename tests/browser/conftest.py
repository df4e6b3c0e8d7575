"""A live server and headless Chromium (Debian's `chromium` package) for the browser tests."""

import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests import factories

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Chromium drops a static file's download (a font) when the page navigates on; Werkzeug's
# development server then leaves that file to the garbage collector. Only static files,
# only this test's server: gunicorn serves production.
BROWSER_MARKS = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.filterwarnings("ignore:unclosed file <_io.BufferedReader name='[^']*/static/"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <_io.FileIO name='[^']*/static/"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
]


@pytest.fixture
def live_server(shared_app, committed_engine) -> Iterator[str]:
    """The app served over real HTTP from a thread, on committed data wiped afterwards."""
    server = make_server("127.0.0.1", 0, shared_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(live_server):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.set_default_timeout(10_000)
        refused: list[str] = []
        page.on(
            "console",
            lambda message: "script-src" in message.text and refused.append(message.text),
        )
        yield page
        browser.close()
        # The security headers let every script the walkthrough needs run. (They do block the
        # theme's remote Google Fonts stylesheet, on purpose: no remote fetches.)
        assert refused == [], "\n".join(refused)


def sign_in(page, live_server: str, email: str) -> None:
    """Sign in through the login form and land on the home page."""
    page.goto(live_server + "/login")
    page.fill("#email", email)
    page.fill("#password", factories.DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

"""A manager who opens a screen meant for someone else reads why, and finds the way back."""

from pathlib import Path

from sqlalchemy.orm import Session

from models import Role
from tests import factories

from .conftest import BROWSER_MARKS, sign_in

pytestmark = BROWSER_MARKS
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def test_a_manager_refused_a_form_reads_why_and_goes_back(committed_engine, live_server, page):
    with Session(committed_engine) as session:
        company = factories.make_company(session, name="Nordlicht Software GmbH")
        factories.make_user(session, Role.MANAGER, companies=[company], email="boss@example.com")
        session.commit()
    sign_in(page, live_server, "boss@example.com")
    page.goto(live_server + "/admin/customer/")
    # Followed from the list (a link someone shared), so the browser says where from.
    with page.expect_navigation():
        page.evaluate("window.location.href = '/admin/customer/new/'")

    assert page.inner_text("h1") == "Not allowed"
    assert "Managers can read every record" in page.inner_text(".lead")
    assert "Changing customers is for the admin, finance or support role." in page.inner_text(
        ".lead"
    )
    assert page.is_visible("#global-search")  # inside the admin layout, menu and all
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "error-403-manager.png"))

    page.click("text=Back to the previous page")
    page.wait_for_url("**/admin/customer/")

"""The sync failures screen: each company's failures with the provider's words, and Retry."""

import html
import re

from models import SyncRecord

from .conftest import csrf_token


def failed_record(session, company, **overrides) -> SyncRecord:
    values = {
        "company_id": company.id,
        "provider": "xero",
        "record_type": "invoice",
        "record_id": 4711,
        "status": "failed",
        "attempts": 1,
        "last_error": "Account code '999' is not a valid code for this document.",
        "last_payload": '{"Type": "ACCREC", "LineItems": [{"UnitAmount": 120.000000}]}',
    }
    record = SyncRecord(**(values | overrides))
    session.add(record)
    session.flush()
    return record


def test_finance_sees_its_failures_verbatim_and_retries_one(
    client_as, db_session, company, other_company
):
    mine = failed_record(db_session, company)
    failed_record(db_session, other_company, last_error="Someone else's secret trouble")
    db_session.commit()
    client = client_as("finance")

    page = client.get("/admin/sync/").get_data(as_text=True)
    assert "Account code &#39;999&#39; is not a valid code for this document." in page
    assert "&#34;UnitAmount&#34;: 120.000000" in page  # the number exactly as sent
    assert "Someone else" not in page

    response = client.post(
        "/admin/sync/retry",
        data={"record_id": mine.id, "csrf_token": csrf_token(client, "/admin/sync/")},
    )
    assert response.status_code == 302
    db_session.refresh(mine)
    assert (mine.status, mine.request_count) == ("pending", 2)
    assert "queued for Xero again" in client.get("/admin/sync/").get_data(as_text=True)


def test_retry_of_another_companys_record_changes_nothing(client_as, db_session, other_company):
    theirs = failed_record(db_session, other_company)
    db_session.commit()
    client = client_as("finance")
    client.post(
        "/admin/sync/retry",
        data={"record_id": theirs.id, "csrf_token": csrf_token(client, "/admin/sync/")},
    )
    db_session.refresh(theirs)
    assert (theirs.status, theirs.request_count) == ("failed", 1)


def test_managers_and_support_see_failures_but_cannot_retry(client_as, db_session, company):
    record = failed_record(db_session, company)
    db_session.commit()
    for role in ("manager", "support"):
        client = client_as(role)
        page = client.get("/admin/sync/").get_data(as_text=True)
        assert "is not a valid code" in page and ">Retry<" not in page
        refused = client.post(
            "/admin/sync/retry",
            data={"record_id": record.id, "csrf_token": csrf_token(client, "/admin/sync/")},
        )
        assert refused.status_code == 403
        db_session.refresh(record)
        assert (record.status, record.request_count) == ("failed", 1)


def test_pages_follow_the_latest_failures_and_ignore_a_forged_cursor(
    client_as, db_session, company
):
    for number in range(55):
        failed_record(db_session, company, record_id=number + 1)
    db_session.commit()
    client = client_as("finance")
    first = client.get("/admin/sync/").get_data(as_text=True)
    assert "invoice #55<" in first and "invoice #6<" in first and "invoice #5<" not in first
    older = re.search(r'href="([^"]+)">Older failures', first).group(1)
    second = client.get(html.unescape(older)).get_data(as_text=True)
    assert "invoice #5<" in second and "invoice #1<" in second and "invoice #6<" not in second
    assert "Older failures" not in second
    forged = client.get("/admin/sync/?before=garbage|x").get_data(as_text=True)
    assert "invoice #55<" in forged
